/*
 * pcapng.c - the pcapng format, read natively.
 *
 * Spec: draft-ietf-opsawg-pcapng.  Every block:
 *    0 block type | 4 block total length | body ... | total length again
 * Section Header Block (0x0A0D0D0A): byte-order magic 0x1A2B3C4D, version
 * 1.x, section length, options.  Each section has its own interfaces.
 * Interface Description Block (1): linktype(2) reserved(2) snaplen(4)
 * options (if_tsresol = 9, if_tsoffset = 14).
 * Enhanced Packet Block (6): iface(4) ts_high(4) ts_low(4) caplen(4)
 * wirelen(4) data, padded to 32 bits.  Simple Packet Block (3): wirelen(4)
 * data (interface 0).  Obsolete Packet Block (2): iface(2) drops(2)
 * ts_high ts_low caplen wirelen data.  Other blocks are skipped.
 */
#include "capture/capture-int.h"
#include "util/rd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 1u
#define BT_OPB 2u
#define BT_SPB 3u
#define BT_EPB 6u

static int ng_error(struct cap *c, char *err, size_t errlen, int rc, uint64_t off, const char *what)
{
	if (c->src.err > 0)
		snprintf(err, errlen, "cannot read '%s' at offset %" PRIu64 ": %s", c->path, off,
			 strerror(c->src.err));
	else if (c->src.err)  /* gzip: the offset counts uncompressed bytes */
		snprintf(err, errlen, "'%s' is damaged at uncompressed offset %" PRIu64 ": %s", c->path,
			 off, c->src.zmsg);
	else if (rc == CAP_EFORMAT)
		snprintf(err, errlen, "'%s' is not a valid pcapng file: %s", c->path, what);
	else
		snprintf(err, errlen, "'%s' is damaged at offset %" PRIu64 ": %s", c->path, off, what);
	return rc;
}

/* Walks an options list; returns false if an option runs past the block. */
static bool walk_options(struct rd *r, bool big, struct cap_iface *ifc)
{
	while (r->left >= 4) {
		uint16_t code, len;
		const uint8_t *v;
		rd_u16o(r, big, &code);
		rd_u16o(r, big, &len);
		if (code == 0)
			return true;
		if (!rd_bytes(r, len, &v))
			return false;
		if (!rd_skip(r, (4 - (len & 3)) & 3))
			return false;
		if (!ifc)
			continue;
		if (code == 9 && len >= 1) {
			uint8_t e = v[0] & 0x7f;
			if (v[0] & 0x80)
				ifc->units = e < 63 ? (uint64_t)1 << e : 0;
			else if (e <= 19) {
				ifc->units = 1;
				for (uint8_t i = 0; i < e; i++)
					ifc->units *= 10;
			} else
				ifc->units = 0;
		} else if (code == 14 && len == 8) {
			struct rd o;
			uint32_t a, b;
			rd_init(&o, v, 8);
			rd_u32o(&o, big, &a);
			rd_u32o(&o, big, &b);
			uint64_t u = big ? ((uint64_t)a << 32 | b) : ((uint64_t)b << 32 | a);
			ifc->offset_s = (int64_t)u;
		}
	}
	return r->left == 0;
}

/*
 * Parses a Section Header Block body (after type and length): byte-order
 * magic (already checked by read_block), version, section length, options.
 */
static int parse_shb(struct cap *c, struct rd *body, uint64_t off, char *err, size_t errlen)
{
	uint16_t vmaj, vmin;
	if (!rd_skip(body, 4) || !rd_u16o(body, c->big, &vmaj) || !rd_u16o(body, c->big, &vmin) ||
	    !rd_skip(body, 8))
		return ng_error(c, err, errlen, c->sections ? CAP_EDAMAGED : CAP_EFORMAT, off,
				"section header block too short");
	if (vmaj != 1 || (vmin != 0 && vmin != 2)) {  /* as libpcap and Wireshark: 1.0, 1.2 */
		char what[64];
		snprintf(what, sizeof what, "unsupported pcapng version %u.%u", vmaj, vmin);
		return ng_error(c, err, errlen, c->sections ? CAP_EDAMAGED : CAP_EFORMAT, off, what);
	}
	if (!walk_options(body, c->big, NULL))
		return ng_error(c, err, errlen, c->sections ? CAP_EDAMAGED : CAP_EFORMAT, off,
				"section header option runs past the block");
	c->sections++;
	c->nifaces = 0;
	return CAP_OK;
}

static int parse_idb(struct cap *c, struct rd *body, uint64_t off, char *err, size_t errlen)
{
	uint16_t lt, resv;
	uint32_t snap;
	if (!rd_u16o(body, c->big, &lt) || !rd_u16o(body, c->big, &resv) || !rd_u32o(body, c->big, &snap))
		return ng_error(c, err, errlen, CAP_EDAMAGED, off, "interface block too short");
	if (c->nifaces == c->ifcap) {
		unsigned ncap = c->ifcap ? c->ifcap * 2 : 4;
		if (ncap > 65536)
			return ng_error(c, err, errlen, CAP_EDAMAGED, off, "too many interfaces");
		struct cap_iface *n = realloc(c->ifaces, ncap * sizeof *n);
		if (!n)
			return ng_error(c, err, errlen, CAP_ENOMEM, off, "out of memory");
		c->ifaces = n;
		c->ifcap = ncap;
	}
	struct cap_iface *ifc = &c->ifaces[c->nifaces];
	*ifc = (struct cap_iface){ .linktype = lt, .snaplen = snap, .units = 1000000 };
	if (!walk_options(body, c->big, ifc))
		return ng_error(c, err, errlen, CAP_EDAMAGED, off, "interface option runs past the block");
	if (ifc->units == 0)
		return ng_error(c, err, errlen, CAP_EDAMAGED, off, "unsupported if_tsresol");
	c->nifaces++;
	cap_note_linktype(c, lt);
	return CAP_OK;
}

/*
 * Timestamp in ns since the epoch, computed in 128 bits and clamped to
 * +-2^62 so that a crafted if_tsoffset or timestamp cannot overflow here
 * nor in any later subtraction of two timestamps.
 */
static int64_t ts_to_ns(const struct cap_iface *ifc, uint64_t ts)
{
	__int128 v = (__int128)((unsigned __int128)ts * 1000000000u / ifc->units) +
		     (__int128)ifc->offset_s * 1000000000;
	const __int128 lim = (__int128)1 << 62;
	return (int64_t)(v > lim ? lim : v < -lim ? -lim : v);
}

/* Fills rec from a packet block body; returns CAP_OK or 0 to skip. */
static int parse_packet(struct cap *c, uint32_t type, struct rd *body, struct cap_rec *rec,
			uint64_t off, char *err, size_t errlen)
{
	uint32_t ifidx = 0, hi = 0, lo = 0, caplen, wirelen;
	bool ok;
	if (type == BT_EPB) {
		ok = rd_u32o(body, c->big, &ifidx) && rd_u32o(body, c->big, &hi) &&
		     rd_u32o(body, c->big, &lo) && rd_u32o(body, c->big, &caplen) &&
		     rd_u32o(body, c->big, &wirelen);
	} else if (type == BT_OPB) {
		uint16_t i16, drops;
		ok = rd_u16o(body, c->big, &i16) && rd_u16o(body, c->big, &drops) &&
		     rd_u32o(body, c->big, &hi) && rd_u32o(body, c->big, &lo) &&
		     rd_u32o(body, c->big, &caplen) && rd_u32o(body, c->big, &wirelen);
		ifidx = i16;
	} else {
		ok = rd_u32o(body, c->big, &wirelen);
		caplen = (uint32_t)(body->left < wirelen ? body->left : wirelen);
	}
	if (!ok)
		return ng_error(c, err, errlen, CAP_EDAMAGED, off, "packet block too short");
	if (ifidx >= c->nifaces)
		return ng_error(c, err, errlen, CAP_EDAMAGED, off, "packet names an undeclared interface");
	const struct cap_iface *ifc = &c->ifaces[ifidx];
	if (type == BT_SPB && ifc->snaplen && caplen > ifc->snaplen)
		caplen = ifc->snaplen;
	const uint8_t *data;
	if (!rd_bytes(body, caplen, &data))
		return ng_error(c, err, errlen, CAP_EDAMAGED, off, "packet data runs past the block");
	rec->ts_ns = type == BT_SPB ? 0 : ts_to_ns(ifc, (uint64_t)hi << 32 | lo);
	rec->caplen = caplen;
	rec->wirelen = wirelen;
	rec->linktype = ifc->linktype;
	rec->iface = ifidx;
	rec->offset = off;
	rec->data = data;
	return CAP_OK;
}

/* Reads one block's type, length and body; validates the trailer. */
static int read_block(struct cap *c, uint32_t *type, struct rd *body, uint64_t *off,
		      char *err, size_t errlen)
{
	size_t n;
	*off = c->src.pos;
	const uint8_t *p = src_peek(&c->src, 12, &n);
	if (n == 0)
		return c->src.err ? ng_error(c, err, errlen, CAP_EDAMAGED, *off, "") : CAP_EOF;
	if (n < 12)
		return ng_error(c, err, errlen, CAP_EDAMAGED, *off, "file ends inside a block header");
	struct rd r;
	uint32_t t, len, bom;
	rd_init(&r, p, 12);
	rd_be32(&r, &t);
	if (t == BT_SHB) {
		rd_skip(&r, 4);
		rd_be32(&r, &bom);
		if (bom != 0x1A2B3C4D && bom != 0x4D3C2B1A)
			return ng_error(c, err, errlen, c->sections ? CAP_EDAMAGED : CAP_EFORMAT, *off,
					"bad byte-order magic");
		c->big = bom == 0x1A2B3C4D;
	}
	rd_init(&r, p, 12);
	rd_u32o(&r, c->big, &t);
	rd_u32o(&r, c->big, &len);
	if (len < 12 || (len & 3) || len > PCAPNG_MAX_BLOCK) {
		char what[80];
		snprintf(what, sizeof what, "invalid block length %" PRIu32, len);
		return ng_error(c, err, errlen, c->sections ? CAP_EDAMAGED : CAP_EFORMAT, *off, what);
	}
	p = src_peek(&c->src, len, &n);
	if (n < len)
		return ng_error(c, err, errlen, CAP_EDAMAGED, *off, "file ends inside a block");
	uint32_t trail;
	rd_init(&r, p + len - 4, 4);
	rd_u32o(&r, c->big, &trail);
	if (trail != len)
		return ng_error(c, err, errlen, CAP_EDAMAGED, *off, "block trailer length mismatch");
	*type = t;
	rd_init(body, p + 8, len - 12);
	src_consume(&c->src, len);
	return CAP_OK;
}

int pcapng_start(struct cap *c, char *err, size_t errlen)
{
	c->fmt = CAP_FMT_PCAPNG;
	uint32_t type;
	struct rd body;
	uint64_t off;
	int rc = read_block(c, &type, &body, &off, err, errlen);
	if (rc == CAP_EDAMAGED)
		return ng_error(c, err, errlen, CAP_EFORMAT, off, "first block cut short");
	if (rc <= 0)
		return rc == CAP_EOF ? ng_error(c, err, errlen, CAP_EFORMAT, 0, "empty") : rc;
	return parse_shb(c, &body, off, err, errlen);
}

int pcapng_next(struct cap *c, struct cap_rec *rec, char *err, size_t errlen)
{
	for (;;) {
		uint32_t type;
		struct rd body;
		uint64_t off;
		int rc = read_block(c, &type, &body, &off, err, errlen);
		if (rc != CAP_OK)
			return rc;
		switch (type) {
		case BT_SHB: rc = parse_shb(c, &body, off, err, errlen); break;
		case BT_IDB: rc = parse_idb(c, &body, off, err, errlen); break;
		case BT_EPB:
		case BT_OPB:
		case BT_SPB: return parse_packet(c, type, &body, rec, off, err, errlen);
		default: rc = CAP_OK; break;
		}
		if (rc != CAP_OK)
			return rc;
	}
}
