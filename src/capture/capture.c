/*
 * capture.c - open a capture, detect its format, hand out records.
 *
 * Format detection is by magic only (file names lie: pcapng files named
 * .pcap are common).  gzip is detected by the source layer.
 */
#include "capture/capture-int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	int lt;
	const char *name;
} linktypes[] = {
	{ 0, "NULL" }, { 1, "EN10MB" }, { 9, "PPP" }, { 12, "RAW" }, { 14, "RAW" },
	{ 50, "PPP_HDLC" }, { 51, "PPP_ETHER" }, { 101, "RAW" }, { 104, "C_HDLC" },
	{ 105, "IEEE802_11" }, { 108, "LOOP" }, { 113, "LINUX_SLL" },
	{ 127, "IEEE802_11_RADIOTAP" }, { 228, "IPV4" }, { 229, "IPV6" },
	{ 239, "NFLOG" }, { 276, "LINUX_SLL2" },
};

const char *cap_linktype_name(int lt)
{
	for (size_t i = 0; i < sizeof linktypes / sizeof *linktypes; i++)
		if (linktypes[i].lt == lt)
			return linktypes[i].name;
	return NULL;
}

bool cap_magic(const uint8_t *p, size_t n)
{
	if (n < 4)
		return false;
	uint32_t m = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 || m == 0x0a0d0d0a;
}

void cap_note_linktype(struct cap *c, int lt)
{
	for (unsigned i = 0; i < c->nseen; i++)
		if (c->seen_lt[i] == lt)
			return;
	if (c->nseen < CAP_MAX_IFACES)
		c->seen_lt[c->nseen++] = lt;
}

static int detect(struct cap *c, char *err, size_t errlen)
{
	size_t n;
	const uint8_t *p = src_peek(&c->src, 24, &n);
	if (!p && c->src.err) {
		snprintf(err, errlen, "cannot read '%s': %s", c->path,
			 c->src.err > 0 ? strerror(c->src.err) : c->src.zmsg);
		return CAP_EOPEN;
	}
	if (n == 0) {
		snprintf(err, errlen, "'%s' is empty", c->path);
		return CAP_EFORMAT;
	}
	if (n >= 4 && p[0] == 0x0a && p[1] == 0x0d && p[2] == 0x0d && p[3] == 0x0a)
		return pcapng_start(c, err, errlen);
	return pcap_file_start(c, p, n, err, errlen);
}

int cap_open(struct cap **out, const char *path, const struct cap_open_opts *o,
	     char *err, size_t errlen)
{
	*out = NULL;
	/*
	 * On cache lines of its own: a reader thread (engine/run.c) writes the
	 * read position per record, and a neighbouring allocation (the flow
	 * table's state, written per packet by the other thread) must not
	 * share a line with it.
	 */
	size_t size = (sizeof(struct cap) + 63) & ~(size_t)63;
	struct cap *c = aligned_alloc(64, size);
	if (c)
		memset(c, 0, size);
	if (!c || !(c->path = strdup(path))) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return CAP_ENOMEM;
	}
	c->reader = o ? o->reader : CAP_READER_NATIVE;
	int rc;
	if (c->reader == CAP_READER_LIBPCAP) {
		rc = ref_open(c, err, errlen);
	} else {
		int e = src_open(&c->src, path);
		if (e) {
			snprintf(err, errlen, "cannot open '%s': %s", path,
				 e == EISDIR ? "Is a directory" : strerror(e));
			free(c->path);
			free(c);
			return CAP_EOPEN;
		}
		rc = detect(c, err, errlen);
	}
	if (rc < 0) {
		cap_close(c);
		return rc;
	}
	*out = c;
	return CAP_OK;
}

int cap_next(struct cap *c, struct cap_rec *rec, char *err, size_t errlen)
{
	if (c->reader == CAP_READER_LIBPCAP)
		return ref_next(c, rec, err, errlen);
	if (c->fmt == CAP_FMT_PCAPNG)
		return pcapng_next(c, rec, err, errlen);
	return pcap_file_next(c, rec, err, errlen);
}

void cap_close(struct cap *c)
{
	if (!c)
		return;
	if (c->reader == CAP_READER_LIBPCAP)
		ref_close(c);
	else
		src_close(&c->src);
	free(c->ifaces);
	free(c->scratch);
	free(c->path);
	free(c);
}

const char *cap_path(const struct cap *c) { return c->path; }
enum cap_format cap_format(const struct cap *c) { return c->fmt; }

const char *cap_format_name(const struct cap *c)
{
	static const char *const names[] = {
		[CAP_FMT_PCAP] = "pcap", [CAP_FMT_PCAP_NS] = "pcap-ns", [CAP_FMT_PCAPNG] = "pcapng",
	};
	return names[c->fmt];
}

bool cap_gzipped(const struct cap *c) { return c->src.gz; }
bool cap_big_endian(const struct cap *c) { return c->big; }

uint64_t cap_bytes_read(const struct cap *c)
{
	return c->reader == CAP_READER_LIBPCAP ? c->ref_offset : c->src.pos;
}

uint64_t cap_file_size(const struct cap *c) { return c->src.gz ? 0 : c->src.size; }
unsigned cap_iface_count(const struct cap *c) { return c->nseen; }
int cap_iface_linktype(const struct cap *c, unsigned i) { return i < c->nseen ? c->seen_lt[i] : -1; }
unsigned cap_section_count(const struct cap *c) { return c->sections; }

bool cap_stable_data(const struct cap *c)
{
	return c->reader == CAP_READER_NATIVE && c->src.map != NULL;
}
