/*
 * test_capture.c - the capture readers (src/capture/).
 *
 * Every file is built here byte by byte (pcap and pcapng, both byte
 * orders, gzip through zlib) into a mkdtemp directory, then read back
 * through cap_open/cap_next.  Checked: exact timestamps per format and
 * per pcapng interface (if_tsresol 10^-x and 2^-x, if_tsoffset), lengths,
 * link types, bytes, offsets; standard input (a regular file and a pipe);
 * damage (status, records delivered before it, error text naming the
 * file and offset); and that the native reader and the libpcap reference
 * agree record for record on the valid pcap files.
 */
#include "harness.h"
#include "capture/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

/* ---- byte builder ---- */

struct buf {
	uint8_t d[1 << 16];
	size_t n;
	bool big;
};

static void put8(struct buf *b, uint8_t v) { b->d[b->n++] = v; }

static void put16(struct buf *b, uint16_t v)
{
	if (b->big) {
		put8(b, (uint8_t)(v >> 8));
		put8(b, (uint8_t)v);
	} else {
		put8(b, (uint8_t)v);
		put8(b, (uint8_t)(v >> 8));
	}
}

static void put32(struct buf *b, uint32_t v)
{
	if (b->big) {
		put16(b, (uint16_t)(v >> 16));
		put16(b, (uint16_t)v);
	} else {
		put16(b, (uint16_t)v);
		put16(b, (uint16_t)(v >> 16));
	}
}

static void put64(struct buf *b, uint64_t v)
{
	if (b->big) {
		put32(b, (uint32_t)(v >> 32));
		put32(b, (uint32_t)v);
	} else {
		put32(b, (uint32_t)v);
		put32(b, (uint32_t)(v >> 32));
	}
}

static void putn(struct buf *b, const void *p, size_t n)
{
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void pad4(struct buf *b)
{
	while (b->n & 3)
		put8(b, 0);
}

/* Packet payloads: distinct, recognisable bytes; pseudo-random (hard to
 * compress) when fill_random is set, for the gzip cut tests. */
static bool fill_random;

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	uint32_t x = 0x9e3779b9u ^ seed;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = fill_random ? (uint8_t)x : (uint8_t)(seed + i * 7);
	}
}

/* ---- pcap writer ---- */

static void pcap_hdr(struct buf *b, bool nsec, uint32_t snaplen, uint32_t lt, uint16_t vmaj, uint16_t vmin)
{
	put32(b, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
	put16(b, vmaj);
	put16(b, vmin);
	put32(b, 0);
	put32(b, 0);
	put32(b, snaplen);
	put32(b, lt);
}

static void pcap_rec(struct buf *b, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen,
		     uint8_t seed)
{
	uint8_t data[4096];
	put32(b, sec);
	put32(b, frac);
	put32(b, caplen);
	put32(b, wirelen);
	fill(data, caplen, seed);
	putn(b, data, caplen);
}

/* ---- pcapng writer ---- */

static size_t ng_begin(struct buf *b, uint32_t type)
{
	size_t at = b->n;
	put32(b, type);
	put32(b, 0);  /* length, patched by ng_end */
	return at;
}

static void ng_end(struct buf *b, size_t at)
{
	pad4(b);
	uint32_t len = (uint32_t)(b->n - at + 4);
	put32(b, len);
	size_t save = b->n;
	b->n = at + 4;
	put32(b, len);
	b->n = save;
}

static void ng_shb(struct buf *b)
{
	size_t at = ng_begin(b, 0x0A0D0D0A);
	put32(b, 0x1A2B3C4D);
	put16(b, 1);
	put16(b, 0);
	put64(b, UINT64_MAX);  /* section length unknown */
	ng_end(b, at);
}

/* tsresol < 0: no option; has_off: if_tsoffset present. */
static void ng_idb(struct buf *b, uint16_t lt, uint32_t snaplen, int tsresol, bool has_off, int64_t off)
{
	size_t at = ng_begin(b, 1);
	put16(b, lt);
	put16(b, 0);
	put32(b, snaplen);
	if (tsresol >= 0) {
		put16(b, 9);
		put16(b, 1);
		put8(b, (uint8_t)tsresol);
		pad4(b);
	}
	if (has_off) {
		put16(b, 14);
		put16(b, 8);
		put64(b, (uint64_t)off);
	}
	if (tsresol >= 0 || has_off) {
		put16(b, 0);
		put16(b, 0);
	}
	ng_end(b, at);
}

static void ng_epb(struct buf *b, uint32_t iface, uint64_t ts, uint32_t caplen, uint32_t wirelen, uint8_t seed)
{
	uint8_t data[4096];
	size_t at = ng_begin(b, 6);
	put32(b, iface);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, wirelen);
	fill(data, caplen, seed);
	putn(b, data, caplen);
	ng_end(b, at);
}

static void ng_spb(struct buf *b, uint32_t wirelen, uint32_t datalen, uint8_t seed)
{
	uint8_t data[4096];
	size_t at = ng_begin(b, 3);
	put32(b, wirelen);
	fill(data, datalen, seed);
	putn(b, data, datalen);
	ng_end(b, at);
}

static void ng_opb(struct buf *b, uint16_t iface, uint64_t ts, uint32_t caplen, uint32_t wirelen, uint8_t seed)
{
	uint8_t data[4096];
	size_t at = ng_begin(b, 2);
	put16(b, iface);
	put16(b, 0);
	put32(b, (uint32_t)(ts >> 32));
	put32(b, (uint32_t)ts);
	put32(b, caplen);
	put32(b, wirelen);
	fill(data, caplen, seed);
	putn(b, data, caplen);
	ng_end(b, at);
}

/* A block type the reader must skip (Interface Statistics Block). */
static void ng_isb(struct buf *b)
{
	size_t at = ng_begin(b, 5);
	put32(b, 0);
	put32(b, 0);
	put32(b, 0);
	ng_end(b, at);
}

/* ---- files ---- */

static char tmpdir[256];

static const char *tpath(const char *name)
{
	static char paths[64][320];
	static unsigned i;
	char *p = paths[i++ % 64];
	snprintf(p, 320, "%s/%s", tmpdir, name);
	return p;
}

static const char *write_file(const char *name, const void *d, size_t n)
{
	const char *p = tpath(name);
	FILE *f = fopen(p, "wb");
	if (!f || (n && fwrite(d, 1, n, f) != n) || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", p);
		exit(2);
	}
	return p;
}

static const char *write_gz(const char *name, const void *d, size_t n)
{
	const char *p = tpath(name);
	gzFile g = gzopen(p, "wb");
	if (!g || gzwrite(g, d, (unsigned)n) != (int)n || gzclose(g) != Z_OK) {
		fprintf(stderr, "cannot write %s\n", p);
		exit(2);
	}
	return p;
}

static size_t slurp(const char *path, uint8_t *out, size_t cap)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(out, 1, cap, f);
	fclose(f);
	return n;
}

/* ---- reading ---- */

struct got {
	int64_t ts_ns;
	uint32_t caplen, wirelen, iface;
	int linktype;
	uint64_t offset;
	uint8_t data[4096];
};

struct result {
	int open_rc, rc;   /* rc: the status that ended the read */
	unsigned n;
	struct got r[64];
	char err[CAP_ERRLEN];
	char fmt[16];
	bool big, gz;
	unsigned sections, ifaces;
	int iface_lt[8];
	uint64_t size;
};

static struct result R;

static void read_all(const char *path, enum cap_reader reader)
{
	memset(&R, 0, sizeof R);
	struct cap_open_opts o = { .reader = reader };
	struct cap *c;
	R.open_rc = cap_open(&c, path, &o, R.err, sizeof R.err);
	if (R.open_rc != CAP_OK) {
		R.rc = R.open_rc;
		return;
	}
	struct cap_rec rec = { 0 };
	while ((R.rc = cap_next(c, &rec, R.err, sizeof R.err)) == CAP_OK) {
		if (R.n < 64) {
			struct got *g = &R.r[R.n];
			g->ts_ns = rec.ts_ns;
			g->caplen = rec.caplen;
			g->wirelen = rec.wirelen;
			g->iface = rec.iface;
			g->linktype = rec.linktype;
			g->offset = rec.offset;
			memcpy(g->data, rec.data, rec.caplen < 4096 ? rec.caplen : 4096);
		}
		R.n++;
		if (R.n > 1000)
			break;  /* a reader that never ends is a failure too */
	}
	snprintf(R.fmt, sizeof R.fmt, "%s", cap_format_name(c));
	R.big = cap_big_endian(c);
	R.gz = cap_gzipped(c);
	R.sections = cap_section_count(c);
	R.ifaces = cap_iface_count(c);
	for (unsigned i = 0; i < 8; i++)
		R.iface_lt[i] = cap_iface_linktype(c, i);
	R.size = cap_file_size(c);
	cap_close(c);
}

/* True when record i holds caplen bytes made by fill(seed). */
static bool data_is(unsigned i, uint32_t caplen, uint8_t seed)
{
	uint8_t want[4096];
	fill(want, caplen, seed);
	return R.r[i].caplen == caplen && memcmp(R.r[i].data, want, caplen) == 0;
}

static bool err_has(const char *s) { return strstr(R.err, s) != NULL; }

/* "offset N" in the error, for the damage tests. */
static bool err_has_offset(uint64_t off)
{
	char s[40];
	snprintf(s, sizeof s, "offset %llu", (unsigned long long)off);
	return err_has(s);
}

/* ---- pcap ---- */

#define T0 1700000000u

static void build_pcap(struct buf *b, bool big, bool nsec)
{
	memset(b, 0, sizeof *b);
	b->big = big;
	pcap_hdr(b, nsec, 65535, 1, 2, 4);
	pcap_rec(b, T0, nsec ? 123456789 : 123456, 60, 60, 1);
	pcap_rec(b, T0 + 1, nsec ? 999999999 : 999999, 100, 1514, 2);  /* snapped */
	pcap_rec(b, 0, 0, 0, 0, 3);                                   /* empty record */
	pcap_rec(b, T0 + 2, 1, 14, 14, 4);
}

static void check_pcap(bool big, bool nsec, const char *what)
{
	bool native = strcmp(what, "stdin-pipe-libpcap") != 0;
	TEST(what);
	CHECK_EQ_U(R.open_rc, CAP_OK);
	CHECK_EQ_U(R.rc, CAP_EOF);
	CHECK_EQ_U(R.n, 4);
	CHECK_STR(R.fmt, nsec ? "pcap-ns" : "pcap");
	if (native)
		CHECK(R.big == big);
	int64_t s = (int64_t)T0 * 1000000000;
	CHECK_EQ_U(R.r[0].ts_ns, s + (nsec ? 123456789 : 123456000));
	CHECK_EQ_U(R.r[1].ts_ns, s + 1000000000 + (nsec ? 999999999 : 999999000));
	CHECK_EQ_U(R.r[2].ts_ns, 0);
	CHECK_EQ_U(R.r[3].ts_ns, s + 2000000000 + (nsec ? 1 : 1000));
	CHECK(data_is(0, 60, 1));
	CHECK_EQ_U(R.r[0].wirelen, 60);
	CHECK(data_is(1, 100, 2));
	CHECK_EQ_U(R.r[1].wirelen, 1514);
	CHECK_EQ_U(R.r[2].caplen, 0);
	CHECK(data_is(3, 14, 4));
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ_U(R.r[i].linktype, 1);
		CHECK_EQ_U(R.r[i].iface, 0);
	}
	if (native) {  /* the libpcap reference knows offsets only roughly */
		CHECK_EQ_U(R.r[0].offset, 24);
		CHECK_EQ_U(R.r[1].offset, 24 + 16 + 60);
		CHECK_EQ_U(R.r[2].offset, 24 + 16 + 60 + 16 + 100);
		CHECK_EQ_U(R.r[3].offset, 24 + 16 + 60 + 16 + 100 + 16);
	}
	CHECK_EQ_U(R.ifaces, 1);
	CHECK_EQ_U(R.iface_lt[0], 1);
	CHECK_EQ_U(R.iface_lt[1], -1);
}

static struct buf B1, B2;  /* large: keep off the stack */

static void test_pcap_variants(void)
{
	static const struct {
		bool big, nsec;
		const char *name;
	} v[] = {
		{ false, false, "pcap-us-le" }, { true, false, "pcap-us-be" },
		{ false, true, "pcap-ns-le" }, { true, true, "pcap-ns-be" },
	};
	for (unsigned i = 0; i < 4; i++) {
		build_pcap(&B1, v[i].big, v[i].nsec);
		char name[64];
		snprintf(name, sizeof name, "%s.pcap", v[i].name);
		const char *p = write_file(name, B1.d, B1.n);
		read_all(p, CAP_READER_NATIVE);
		check_pcap(v[i].big, v[i].nsec, v[i].name);
		CHECK(!R.gz);
		CHECK_EQ_U(R.size, B1.n);
		snprintf(name, sizeof name, "%s.pcap.gz", v[i].name);
		p = write_gz(name, B1.d, B1.n);
		read_all(p, CAP_READER_NATIVE);
		check_pcap(v[i].big, v[i].nsec, name);
		CHECK(R.gz);
		CHECK_EQ_U(R.size, 0);  /* unknown for gzip */
	}
}

/* A caplen above the file's snaplen (within 262144) is cut to it. */
static void test_pcap_snaplen(void)
{
	TEST("pcap-snaplen-cut");
	memset(&B1, 0, sizeof B1);
	pcap_hdr(&B1, false, 64, 1, 2, 4);
	pcap_rec(&B1, T0, 0, 100, 100, 9);
	pcap_rec(&B1, T0, 1, 10, 10, 10);
	const char *p = write_file("snap.pcap", B1.d, B1.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.rc, CAP_EOF);
	CHECK_EQ_U(R.n, 2);
	CHECK(data_is(0, 64, 9));
	CHECK_EQ_U(R.r[0].wirelen, 100);
	CHECK(data_is(1, 10, 10));  /* the next record starts after all 100 bytes */
	CHECK_EQ_U(R.r[1].offset, 24 + 16 + 100);
}

static void test_pcap_damage(void)
{
	const char *p;

	TEST("empty");
	p = write_file("empty.pcap", "", 0);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_EFORMAT);
	CHECK(err_has(p));

	TEST("header-only");
	memset(&B1, 0, sizeof B1);
	pcap_hdr(&B1, false, 65535, 1, 2, 4);
	p = write_file("hdr.pcap", B1.d, B1.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_OK);
	CHECK_EQ_U(R.rc, CAP_EOF);
	CHECK_EQ_U(R.n, 0);

	TEST("header-cut");
	p = write_file("hdrcut.pcap", B1.d, 20);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_EFORMAT);
	CHECK(err_has(p));

	TEST("unknown-magic");
	static const uint8_t junk[24] = "this is not a pcap file";
	p = write_file("junk.pcap", junk, sizeof junk);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_EFORMAT);
	CHECK(err_has(p));
	CHECK(err_has("magic"));

	TEST("bad-version");
	memset(&B1, 0, sizeof B1);
	pcap_hdr(&B1, false, 65535, 1, 3, 0);
	p = write_file("v3.pcap", B1.d, B1.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_EFORMAT);
	CHECK(err_has("version"));
	memset(&B1, 0, sizeof B1);
	B1.big = true;
	pcap_hdr(&B1, false, 65535, 1, 1, 0);
	p = write_file("v1.pcap", B1.d, B1.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_EFORMAT);

	TEST("huge-record-length");
	for (int big = 0; big < 2; big++) {
		memset(&B1, 0, sizeof B1);
		B1.big = big;
		pcap_hdr(&B1, false, 65535, 1, 2, 4);
		pcap_rec(&B1, T0, 0, 40, 40, 1);
		pcap_rec(&B1, T0, 1, 41, 41, 2);
		size_t bad = B1.n;
		put32(&B1, T0);
		put32(&B1, 2);
		put32(&B1, 0x7fffffff);
		put32(&B1, 0x7fffffff);
		putn(&B1, "more bytes after", 16);
		p = write_file(big ? "huge-be.pcap" : "huge-le.pcap", B1.d, B1.n);
		read_all(p, CAP_READER_NATIVE);
		CHECK_EQ_U(R.open_rc, CAP_OK);
		CHECK_EQ_U(R.n, 2);
		CHECK(data_is(0, 40, 1));
		CHECK(data_is(1, 41, 2));
		CHECK_EQ_U(R.rc, CAP_EDAMAGED);
		CHECK(err_has(p));
		CHECK(err_has_offset(bad));
		/* the libpcap reference refuses it too, after the same records */
		read_all(p, CAP_READER_LIBPCAP);
		CHECK_EQ_U(R.n, 2);
		CHECK_EQ_U(R.rc, CAP_EDAMAGED);
	}

	TEST("cut-mid-record");
	memset(&B1, 0, sizeof B1);
	pcap_hdr(&B1, false, 65535, 1, 2, 4);
	pcap_rec(&B1, T0, 0, 50, 50, 1);
	size_t second = B1.n;
	pcap_rec(&B1, T0, 1, 50, 50, 2);
	p = write_file("cut.pcap", B1.d, B1.n - 10);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.n, 1);
	CHECK(data_is(0, 50, 1));
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);
	CHECK(err_has(p));
	CHECK(err_has_offset(second));

	TEST("cut-mid-record-header");
	p = write_file("cuthdr.pcap", B1.d, second + 7);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.n, 1);
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);
	CHECK(err_has_offset(second));

	TEST("cut-mid-record-gzip");
	p = write_gz("cut.pcap.gz", B1.d, B1.n - 10);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.n, 1);
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);
	CHECK(err_has_offset(second));

	TEST("missing-file");
	read_all(tpath("no-such-file.pcap"), CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_EOPEN);
	CHECK(err_has("no-such-file.pcap"));
	CHECK(err_has(strerror(ENOENT)));

	TEST("directory");
	read_all(tmpdir, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_EOPEN);
}

/* A gzip stream cut short: records inflated before the cut are delivered. */
static void test_gzip_cut(void)
{
	TEST("gzip-cut");
	fill_random = true;
	memset(&B1, 0, sizeof B1);
	pcap_hdr(&B1, false, 65535, 1, 2, 4);
	for (unsigned i = 0; i < 20; i++)
		pcap_rec(&B1, T0 + i, 0, 1000, 1000, (uint8_t)(i * 13));
	const char *full = write_gz("full.pcap.gz", B1.d, B1.n);
	static uint8_t z[1 << 16];
	size_t zn = slurp(full, z, sizeof z);
	CHECK(zn > 100);

	/* only the 8-byte trailer missing: every record, then damage */
	const char *p = write_file("notrailer.pcap.gz", z, zn - 8);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_OK);
	CHECK_EQ_U(R.n, 20);
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);
	CHECK(err_has(p));
	CHECK(err_has("gzip"));

	/* cut in the middle of the deflate data */
	p = write_file("half.pcap.gz", z, zn / 2);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_OK);
	CHECK(R.n >= 1 && R.n < 20);
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);
	for (unsigned i = 0; i < R.n && i < 20; i++)
		CHECK(data_is(i, 1000, (uint8_t)(i * 13)));

	/* corrupt deflate data */
	memcpy(B2.d, z, zn);
	for (size_t i = zn / 2; i < zn / 2 + 16; i++)
		B2.d[i] ^= 0x5a;
	p = write_file("corrupt.pcap.gz", B2.d, zn);
	read_all(p, CAP_READER_NATIVE);
	CHECK(R.rc < 0);
	CHECK(R.n < 20);
	fill_random = false;
}

/* ---- pcapng ---- */

#define NS 1000000000LL

/* Two sections (LE then BE), five interfaces, EPB/SPB/OPB and a skipped block. */
static void build_pcapng(struct buf *b, bool first_big)
{
	memset(b, 0, sizeof *b);
	b->big = first_big;
	ng_shb(b);
	ng_idb(b, 1, 65535, -1, false, 0);                 /* if 0: us default */
	ng_idb(b, 101, 0, 9, false, 0);                    /* if 1: ns */
	ng_idb(b, 113, 65535, 0x80 | 20, true, 1000);      /* if 2: 2^-20, +1000 s */
	ng_epb(b, 0, (uint64_t)T0 * 1000000 + 123456, 60, 60, 1);
	ng_epb(b, 1, (uint64_t)T0 * 1000000000 + 123456789, 33, 1500, 2);
	ng_isb(b);
	ng_epb(b, 2, ((uint64_t)T0 << 20) + (1u << 19), 20, 20, 3);
	ng_spb(b, 5, 5, 4);                                /* if 0, ts 0 */
	ng_opb(b, 1, (uint64_t)T0 * 1000000000 + 7, 9, 9, 5);
	b->big = !first_big;
	ng_shb(b);                                         /* interfaces reset */
	ng_idb(b, 228, 65535, 6, false, 0);                /* if 0: explicit us */
	ng_idb(b, 229, 65535, 0x80 | 3, true, -100);       /* if 1: 1/8 s, -100 s */
	ng_epb(b, 1, (uint64_t)T0 * 8 + 3, 40, 40, 6);
	ng_epb(b, 0, (uint64_t)T0 * 1000000 + 1, 21, 21, 7);
	ng_spb(b, 100, 8, 8);                              /* 8 of 100 captured */
}

static void check_pcapng(const char *what)
{
	TEST(what);
	CHECK_EQ_U(R.open_rc, CAP_OK);
	CHECK_EQ_U(R.rc, CAP_EOF);
	CHECK_EQ_U(R.n, 8);
	CHECK_STR(R.fmt, "pcapng");
	CHECK_EQ_U(R.sections, 2);
	CHECK_EQ_U(R.ifaces, 5);
	CHECK_EQ_U(R.iface_lt[0], 1);
	CHECK_EQ_U(R.iface_lt[1], 101);
	CHECK_EQ_U(R.iface_lt[2], 113);
	CHECK_EQ_U(R.iface_lt[3], 228);
	CHECK_EQ_U(R.iface_lt[4], 229);

	CHECK_EQ_U(R.r[0].ts_ns, (int64_t)T0 * NS + 123456000);
	CHECK_EQ_U(R.r[0].iface, 0);
	CHECK_EQ_U(R.r[0].linktype, 1);
	CHECK(data_is(0, 60, 1));

	CHECK_EQ_U(R.r[1].ts_ns, (int64_t)T0 * NS + 123456789);
	CHECK_EQ_U(R.r[1].iface, 1);
	CHECK_EQ_U(R.r[1].linktype, 101);
	CHECK(data_is(1, 33, 2));
	CHECK_EQ_U(R.r[1].wirelen, 1500);

	CHECK_EQ_U(R.r[2].ts_ns, ((int64_t)T0 + 1000) * NS + 500000000);
	CHECK_EQ_U(R.r[2].iface, 2);
	CHECK_EQ_U(R.r[2].linktype, 113);
	CHECK(data_is(2, 20, 3));

	CHECK_EQ_U(R.r[3].ts_ns, 0);  /* SPB: no timestamp */
	CHECK_EQ_U(R.r[3].iface, 0);
	CHECK_EQ_U(R.r[3].linktype, 1);
	CHECK(data_is(3, 5, 4));
	CHECK_EQ_U(R.r[3].wirelen, 5);

	CHECK_EQ_U(R.r[4].ts_ns, (int64_t)T0 * NS + 7);  /* OPB on the ns interface */
	CHECK_EQ_U(R.r[4].iface, 1);
	CHECK_EQ_U(R.r[4].linktype, 101);
	CHECK(data_is(4, 9, 5));

	CHECK_EQ_U(R.r[5].ts_ns, ((int64_t)T0 - 100) * NS + 375000000);
	CHECK_EQ_U(R.r[5].iface, 1);
	CHECK_EQ_U(R.r[5].linktype, 229);
	CHECK(data_is(5, 40, 6));

	CHECK_EQ_U(R.r[6].ts_ns, (int64_t)T0 * NS + 1000);
	CHECK_EQ_U(R.r[6].iface, 0);
	CHECK_EQ_U(R.r[6].linktype, 228);
	CHECK(data_is(6, 21, 7));

	CHECK_EQ_U(R.r[7].linktype, 228);
	CHECK(data_is(7, 8, 8));
	CHECK_EQ_U(R.r[7].wirelen, 100);

	CHECK_EQ_U(R.r[0].offset, 28 + 20 + 32 + 44);  /* after SHB and three IDBs */
	for (unsigned i = 1; i < 8; i++)
		CHECK(R.r[i].offset > R.r[i - 1].offset);
}

static void test_pcapng(void)
{
	build_pcapng(&B1, false);
	const char *p = write_file("two-sections-le-be.pcapng", B1.d, B1.n);
	read_all(p, CAP_READER_NATIVE);
	check_pcapng("pcapng-le-be");
	CHECK(R.big);  /* the byte order of the last section read */
	CHECK_EQ_U(R.size, B1.n);

	build_pcapng(&B2, true);
	p = write_file("two-sections-be-le.pcapng", B2.d, B2.n);
	read_all(p, CAP_READER_NATIVE);
	check_pcapng("pcapng-be-le");
	CHECK(!R.big);

	p = write_gz("two-sections.pcapng.gz", B1.d, B1.n);
	read_all(p, CAP_READER_NATIVE);
	check_pcapng("pcapng-gzip");
	CHECK(R.gz);
}

static void test_pcapng_damage(void)
{
	const char *p;

	TEST("pcapng-trailer-mismatch");
	build_pcapng(&B1, false);
	/* Corrupt the trailer of the second EPB (record 1). */
	memset(&B2, 0, sizeof B2);
	ng_shb(&B2);
	ng_idb(&B2, 1, 65535, -1, false, 0);
	ng_epb(&B2, 0, 1, 10, 10, 1);
	size_t bad = B2.n;
	ng_epb(&B2, 0, 2, 10, 10, 2);
	B2.d[B2.n - 4] ^= 0x04;
	ng_epb(&B2, 0, 3, 10, 10, 3);
	p = write_file("trailer.pcapng", B2.d, B2.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.n, 1);
	CHECK(data_is(0, 10, 1));
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);
	CHECK(err_has(p));
	CHECK(err_has("trailer"));
	CHECK(err_has_offset(bad));

	TEST("pcapng-cut-mid-block");
	p = write_file("cut.pcapng", B2.d, bad + 20);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.n, 1);
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);
	CHECK(err_has_offset(bad));
	p = write_file("cut2.pcapng", B2.d, bad + 5);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.n, 1);
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);

	TEST("pcapng-undeclared-interface");
	memset(&B2, 0, sizeof B2);
	ng_shb(&B2);
	ng_idb(&B2, 1, 65535, -1, false, 0);
	ng_epb(&B2, 0, 1, 10, 10, 1);
	bad = B2.n;
	ng_epb(&B2, 1, 2, 10, 10, 2);
	p = write_file("noiface.pcapng", B2.d, B2.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.n, 1);
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);
	CHECK(err_has_offset(bad));
	CHECK(err_has("interface"));

	TEST("pcapng-iface-reset-by-section");
	/* interfaces of section 1 are not visible in section 2 */
	memset(&B2, 0, sizeof B2);
	ng_shb(&B2);
	ng_idb(&B2, 1, 65535, -1, false, 0);
	ng_idb(&B2, 1, 65535, -1, false, 0);
	ng_epb(&B2, 1, 1, 10, 10, 1);
	ng_shb(&B2);
	ng_idb(&B2, 1, 65535, -1, false, 0);
	ng_epb(&B2, 1, 2, 10, 10, 2);
	p = write_file("reset.pcapng", B2.d, B2.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.n, 1);
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);

	TEST("pcapng-bad-version");
	memset(&B2, 0, sizeof B2);
	size_t at = ng_begin(&B2, 0x0A0D0D0A);
	put32(&B2, 0x1A2B3C4D);
	put16(&B2, 2);
	put16(&B2, 0);
	put64(&B2, UINT64_MAX);
	ng_end(&B2, at);
	p = write_file("v2.pcapng", B2.d, B2.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_EFORMAT);
	CHECK(err_has("version"));

	TEST("pcapng-bad-byte-order-magic");
	memset(&B2, 0, sizeof B2);
	at = ng_begin(&B2, 0x0A0D0D0A);
	put32(&B2, 0x11223344);
	put16(&B2, 1);
	put16(&B2, 0);
	put64(&B2, UINT64_MAX);
	ng_end(&B2, at);
	p = write_file("bom.pcapng", B2.d, B2.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_EFORMAT);

	TEST("pcapng-shb-only");
	memset(&B2, 0, sizeof B2);
	ng_shb(&B2);
	p = write_file("shb.pcapng", B2.d, B2.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_OK);
	CHECK_EQ_U(R.rc, CAP_EOF);
	CHECK_EQ_U(R.n, 0);
	CHECK_EQ_U(R.sections, 1);

	TEST("pcapng-bad-block-length");
	put32(&B2, 6);
	put32(&B2, 13);  /* not a multiple of 4 */
	put32(&B2, 0);
	put32(&B2, 13);
	p = write_file("badlen.pcapng", B2.d, B2.n);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_OK);
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);
	CHECK(err_has("block length"));

	TEST("pcapng-cut-gzip");
	build_pcapng(&B1, true);
	p = write_gz("cut.pcapng.gz", B1.d, B1.n - 6);
	read_all(p, CAP_READER_NATIVE);
	CHECK_EQ_U(R.n, 7);
	CHECK_EQ_U(R.rc, CAP_EDAMAGED);
}

/* ---- standard input ---- */

/* Reads "-" with fd 0 replaced by fd; restores fd 0. */
static void read_stdin_fd(int fd, enum cap_reader reader)
{
	int save = dup(STDIN_FILENO);
	dup2(fd, STDIN_FILENO);
	close(fd);
	read_all("-", reader);
	dup2(save, STDIN_FILENO);
	close(save);
}

/* Feeds n bytes of d through a pipe on fd 0 (a child writes them). */
static void read_stdin_pipe(const void *d, size_t n, enum cap_reader reader)
{
	int fds[2];
	if (pipe(fds) != 0) {
		CHECK(!"pipe");
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		const uint8_t *q = d;
		while (n) {
			ssize_t w = write(fds[1], q, n);
			if (w <= 0)
				_exit(1);
			q += w;
			n -= (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	read_stdin_fd(fds[0], reader);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st));
}

static void test_stdin(void)
{
	build_pcap(&B1, false, true);
	const char *p = write_file("stdin.pcap", B1.d, B1.n);
	read_stdin_fd(open(p, O_RDONLY), CAP_READER_NATIVE);
	check_pcap(false, true, "stdin-file");

	read_stdin_pipe(B1.d, B1.n, CAP_READER_NATIVE);
	check_pcap(false, true, "stdin-pipe");

	p = write_gz("stdin.pcap.gz", B1.d, B1.n);
	static uint8_t z[1 << 16];
	size_t zn = slurp(p, z, sizeof z);
	read_stdin_pipe(z, zn, CAP_READER_NATIVE);
	check_pcap(false, true, "stdin-pipe-gzip");
	CHECK(R.gz);
	read_stdin_fd(open(p, O_RDONLY), CAP_READER_NATIVE);
	check_pcap(false, true, "stdin-file-gzip");

	build_pcapng(&B2, true);
	read_stdin_pipe(B2.d, B2.n, CAP_READER_NATIVE);
	check_pcapng("stdin-pipe-pcapng");

	TEST("stdin-empty-pipe");
	read_stdin_pipe("", 0, CAP_READER_NATIVE);
	CHECK_EQ_U(R.open_rc, CAP_EFORMAT);

	build_pcap(&B1, true, false);
	read_stdin_pipe(B1.d, B1.n, CAP_READER_LIBPCAP);
	check_pcap(true, false, "stdin-pipe-libpcap");
}

/* ---- native vs libpcap ---- */

static struct result NATIVE;

static void compare_readers(const char *path, const char *what)
{
	TEST(what);
	read_all(path, CAP_READER_NATIVE);
	NATIVE = R;
	read_all(path, CAP_READER_LIBPCAP);
	CHECK_EQ_U(NATIVE.open_rc, CAP_OK);
	CHECK_EQ_U(R.open_rc, CAP_OK);
	CHECK_EQ_U(NATIVE.rc, CAP_EOF);
	CHECK_EQ_U(R.rc, CAP_EOF);
	CHECK_EQ_U(NATIVE.n, R.n);
	CHECK(R.n > 0);
	for (unsigned i = 0; i < R.n && i < NATIVE.n && i < 64; i++) {
		const struct got *a = &NATIVE.r[i], *b = &R.r[i];
		CHECK_EQ_U(a->ts_ns, b->ts_ns);
		CHECK_EQ_U(a->caplen, b->caplen);
		CHECK_EQ_U(a->wirelen, b->wirelen);
		CHECK_EQ_U(a->linktype, b->linktype);
		CHECK(memcmp(a->data, b->data, a->caplen < 4096 ? a->caplen : 4096) == 0);
	}
}

static void test_reference(void)
{
	static const struct {
		bool big, nsec;
		const char *name;
	} v[] = {
		{ false, false, "ref-us-le.pcap" }, { true, false, "ref-us-be.pcap" },
		{ false, true, "ref-ns-le.pcap" }, { true, true, "ref-ns-be.pcap" },
	};
	for (unsigned i = 0; i < 4; i++) {
		build_pcap(&B1, v[i].big, v[i].nsec);
		compare_readers(write_file(v[i].name, B1.d, B1.n), v[i].name);
	}
	build_pcap(&B1, true, true);
	compare_readers(write_gz("ref.pcap.gz", B1.d, B1.n), "ref-gzip");

	memset(&B1, 0, sizeof B1);
	pcap_hdr(&B1, false, 64, 1, 2, 4);
	pcap_rec(&B1, T0, 5, 100, 100, 9);
	pcap_rec(&B1, T0, 6, 10, 10, 10);
	compare_readers(write_file("ref-snap.pcap", B1.d, B1.n), "ref-snaplen");

	/* pcapng with one link type (libpcap's limit), us and ns interfaces */
	for (int big = 0; big < 2; big++) {
		memset(&B1, 0, sizeof B1);
		B1.big = big;
		ng_shb(&B1);
		ng_idb(&B1, 1, 65535, -1, false, 0);
		ng_idb(&B1, 1, 65535, 9, false, 0);
		ng_epb(&B1, 0, (uint64_t)T0 * 1000000 + 42, 60, 60, 1);
		ng_epb(&B1, 1, (uint64_t)T0 * 1000000000 + 43, 61, 70, 2);
		ng_isb(&B1);
		ng_epb(&B1, 0, (uint64_t)T0 * 1000000 + 44, 0, 0, 3);
		compare_readers(write_file(big ? "ref-be.pcapng" : "ref-le.pcapng", B1.d, B1.n),
				big ? "ref-pcapng-be" : "ref-pcapng-le");
	}
}

static void cleanup(void)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/botlens-capture-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	test_pcap_variants();
	test_pcap_snaplen();
	test_pcap_damage();
	test_gzip_cut();
	test_pcapng();
	test_pcapng_damage();
	test_stdin();
	test_reference();
	cleanup();
	return harness_report("capture");
}
