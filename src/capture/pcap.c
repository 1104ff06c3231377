/*
 * pcap.c - the classic libpcap file format, read natively.
 *
 * Spec: draft-ietf-opsawg-pcap (the pcap file format), following
 * libpcap's sf-pcap.c for what to accept.
 *
 *   file header (24 bytes):
 *    0 magic 0xa1b2c3d4 (us) | 0xa1b23c4d (ns), in the writer's order
 *    4 version_major (2) | 6 version_minor (4)
 *    8 thiszone | 12 sigfigs | 16 snaplen | 20 linktype (low 16 bits)
 *   record header (16 bytes):
 *    0 ts_sec | 4 ts_usec or ts_nsec | 8 caplen | 12 wirelen
 *
 * As libpcap: a caplen above 262144 (and the snaplen) is damage; a
 * caplen above the snaplen but within the maximum is cut to the snaplen.
 */
#include "capture/capture-int.h"
#include "util/rd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pcap_file_start(struct cap *c, const uint8_t *hdr, size_t n, char *err, size_t errlen)
{
	struct rd r;
	uint32_t magic, lt;
	uint16_t vmaj, vmin;
	rd_init(&r, hdr, n);
	if (!rd_be32(&r, &magic)) {
		snprintf(err, errlen, "'%s' is not a capture file (too short for a header)", c->path);
		return CAP_EFORMAT;
	}
	switch (magic) {
	case 0xa1b2c3d4: c->big = true; c->fmt = CAP_FMT_PCAP; break;
	case 0xd4c3b2a1: c->big = false; c->fmt = CAP_FMT_PCAP; break;
	case 0xa1b23c4d: c->big = true; c->fmt = CAP_FMT_PCAP_NS; break;
	case 0x4d3cb2a1: c->big = false; c->fmt = CAP_FMT_PCAP_NS; break;
	default:
		snprintf(err, errlen, "'%s' is not a capture file (unknown magic 0x%08" PRIx32 ")",
			 c->path, magic);
		return CAP_EFORMAT;
	}
	if (n < 24) {
		snprintf(err, errlen, "'%s': pcap file header cut short (%zu of 24 bytes)", c->path, n);
		return CAP_EFORMAT;
	}
	rd_u16o(&r, c->big, &vmaj);
	rd_u16o(&r, c->big, &vmin);
	rd_skip(&r, 8);
	rd_u32o(&r, c->big, &c->snaplen);
	rd_u32o(&r, c->big, &lt);
	if (!((vmaj == 2 && vmin <= 4) || (vmaj == 543 && vmin == 0))) {
		snprintf(err, errlen, "'%s': unsupported pcap version %u.%u", c->path, vmaj, vmin);
		return CAP_EFORMAT;
	}
	c->linktype = (int)(lt & 0xffff);
	if (c->snaplen == 0 || c->snaplen > CAP_MAX_SNAPLEN)
		c->snaplen = CAP_MAX_SNAPLEN;
	cap_note_linktype(c, c->linktype);
	src_consume(&c->src, 24);
	return CAP_OK;
}

static int damaged(struct cap *c, char *err, size_t errlen, const char *what)
{
	if (c->src.err > 0)
		snprintf(err, errlen, "cannot read '%s' at offset %" PRIu64 ": %s", c->path,
			 c->src.pos, strerror(c->src.err));
	else if (c->src.err)  /* gzip: the offset counts uncompressed bytes */
		snprintf(err, errlen, "'%s' is damaged at uncompressed offset %" PRIu64 ": %s", c->path,
			 c->src.pos, c->src.zmsg);
	else
		snprintf(err, errlen, "'%s' is damaged at offset %" PRIu64 ": %s", c->path,
			 c->src.pos, what);
	return CAP_EDAMAGED;
}

int pcap_file_next(struct cap *c, struct cap_rec *rec, char *err, size_t errlen)
{
	size_t n;
	const uint8_t *p = src_peek(&c->src, 16, &n);
	if (n == 0)
		return c->src.err ? damaged(c, err, errlen, "") : CAP_EOF;
	if (n < 16)
		return damaged(c, err, errlen, "file ends inside a record header");
	struct rd r;
	uint32_t sec, frac, caplen, wirelen;
	rd_init(&r, p, 16);
	rd_u32o(&r, c->big, &sec);
	rd_u32o(&r, c->big, &frac);
	rd_u32o(&r, c->big, &caplen);
	rd_u32o(&r, c->big, &wirelen);
	if (caplen > CAP_MAX_SNAPLEN && caplen > c->snaplen) {
		char what[96];
		snprintf(what, sizeof what, "record length %" PRIu32 " exceeds the maximum %u",
			 caplen, CAP_MAX_SNAPLEN);
		return damaged(c, err, errlen, what);
	}
	p = src_peek(&c->src, 16 + (size_t)caplen, &n);
	if (n < 16 + (size_t)caplen)
		return damaged(c, err, errlen, "file ends inside a record");
	rec->offset = c->src.pos;
	rec->ts_ns = (int64_t)sec * 1000000000 +
		     (c->fmt == CAP_FMT_PCAP_NS ? (int64_t)frac : (int64_t)frac * 1000);
	rec->caplen = caplen > c->snaplen ? c->snaplen : caplen;
	rec->wirelen = wirelen;
	rec->linktype = c->linktype;
	rec->iface = 0;
	rec->data = p + 16;
	src_consume(&c->src, 16 + (size_t)caplen);
	return CAP_OK;
}
