/*
 * fuzz_reader.c - libFuzzer harness for the native capture reader.
 *
 * The input is a whole capture file.  It is read three ways through
 * cap_open/cap_next: as given from a memfd (the mmap path; if the input
 * starts with the gzip magic this is also the corrupt-gzip path), and
 * gzip-compressed into a second memfd (the buffered, inflating path), and
 * the two uncompressed readings must agree record for record.  Every
 * record is decoded too, as the run engine does.
 */
#include "capture/capture.h"
#include "decode/decode.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_RECS 4096

struct sum {
	int rc;
	unsigned n;
	uint64_t hash;
};

static int memfd_with(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	return fd;
}

static uint64_t mixin(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull; }

static struct sum read_fd(int fd)
{
	struct sum s = { 0, 0, 0xcbf29ce484222325ull };
	char path[64], err[CAP_ERRLEN];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct cap_open_opts o = { .reader = CAP_READER_NATIVE };
	struct cap *c;
	s.rc = cap_open(&c, path, &o, err, sizeof err);
	if (s.rc != CAP_OK) {
		if (s.rc >= 0 || !err[0] || !memchr(err, 0, sizeof err))
			abort();  /* an error always comes with a message */
		return s;
	}
	struct decoder d;
	decoder_init(&d);
	struct cap_rec rec;
	while (s.n < MAX_RECS && (s.rc = cap_next(c, &rec, err, sizeof err)) == CAP_OK) {
		s.n++;
		s.hash = mixin(s.hash, (uint64_t)rec.ts_ns);
		s.hash = mixin(s.hash, rec.caplen);
		s.hash = mixin(s.hash, rec.wirelen);
		s.hash = mixin(s.hash, (uint64_t)rec.linktype);
		for (uint32_t i = 0; i < rec.caplen; i++)
			s.hash = mixin(s.hash, rec.data[i]);
		struct pkt p;
		decode_packet(&d, &rec, &p);
	}
	if (s.rc < 0 && !err[0])
		abort();
	(void)cap_format_name(c);
	(void)cap_bytes_read(c);
	for (unsigned i = 0; i < cap_iface_count(c); i++)
		(void)cap_linktype_name(cap_iface_linktype(c, i));
	decoder_free(&d);
	cap_close(c);
	return s;
}

static size_t gzip_into(const uint8_t *data, size_t size, uint8_t **out)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	size_t cap = deflateBound(&z, size) + 64;
	*out = malloc(cap);
	if (!*out)
		abort();
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)size;
	z.next_out = *out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	size_t n = z.total_out;
	deflateEnd(&z);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	int fd = memfd_with(data, size);
	struct sum plain = read_fd(fd);
	close(fd);

	uint8_t *gz;
	size_t gn = gzip_into(data, size, &gz);
	fd = memfd_with(gz, gn);
	struct sum zipped = read_fd(fd);
	close(fd);
	free(gz);

	/* The same bytes, compressed or not, give the same records. */
	bool input_is_gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
	if (!input_is_gzip && plain.n < MAX_RECS) {
		if (plain.n != zipped.n || plain.hash != zipped.hash)
			abort();
		if ((plain.rc == CAP_EOF) != (zipped.rc == CAP_EOF))
			abort();
	}
	return 0;
}
