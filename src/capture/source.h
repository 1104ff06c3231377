/*
 * source.h - a byte window over a file, a pipe or a gzip stream
 * (internal to capture/).
 *
 * Regular files are memory-mapped and read in place; pages behind the
 * read position are released as the window advances, so resident memory
 * stays bounded however large the file.  Pipes and gzip streams go
 * through a buffer that grows only to the largest record asked for.
 * Invariant: the bytes returned by src_peek() stay valid until the next
 * src_peek() or src_consume().
 */
#ifndef BOTLENS_SOURCE_H
#define BOTLENS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

struct src {
	int fd;
	bool own_fd;
	bool gz;
	/* mmap mode */
	const uint8_t *map;
	size_t maplen;
	size_t released;      /* bytes of map already given back (madvise) */
	size_t populated;     /* bytes of map asked in (MADV_POPULATE_READ) */
	size_t fetched;       /* bytes of map prefetched into the cache (src_consume) */
	/* buffered mode */
	uint8_t *buf;
	size_t bufcap, start, end;
	uint8_t *zin;
	z_stream zs;
	bool zinit, zdone;
	bool zfail;           /* gzip error met; reported once the bytes before it are read */
	bool eof;             /* no more input after buf[end] */
	int err;              /* errno or -1 for a gzip error */
	const char *zmsg;     /* gzip error message */
	uint64_t pos;         /* file offset of the window start */
	uint64_t size;        /* file size when known, else 0 */
};

/* Opens path ("-" = stdin); detects gzip by magic. Returns 0 or errno. */
int src_open(struct src *s, const char *path);
/*
 * Makes n bytes available at the current position.  Returns a pointer to
 * them and sets *avail = n, or at end of input returns a pointer to what
 * is left (possibly NULL when 0) with *avail < n.  On a read error returns
 * NULL and sets s->err.
 */
const uint8_t *src_peek_buffered(struct src *s, size_t n, size_t *avail);
void src_window(struct src *s);  /* mmap: releases pages behind, maps the next window */

/*
 * A mapped file's resident window: pages more than SRC_LAG behind the
 * read position are given back, every SRC_STEP of progress, and the next
 * SRC_AHEAD are mapped in one call.  The lag is long because readers
 * downstream still read record bytes in place behind the reader: the flow
 * stage a ring of batches behind (engine/run.c), nDPI's thread further
 * (analysis/dpi_thread.c, DQ_LAG); pages they touch after release would
 * be faulted in for good.  Resident: SRC_LAG to SRC_LAG + SRC_STEP
 * behind plus SRC_AHEAD - SRC_STEP to SRC_AHEAD ahead, 20 MiB, as with the
 * former 4 MiB lag released every 16 MiB.
 */
#define SRC_LAG (12u << 20)
#define SRC_STEP (4u << 20)
#define SRC_AHEAD (8u << 20)
#define SRC_FETCH_AHEAD 4096u   /* how far ahead of the reader lines are prefetched */
#define SRC_MAX_WINDOW (256u << 20)   /* no record may need more than this */

/* Inline: called twice per record, and a mapped file needs no more than this. */
static inline const uint8_t *src_peek(struct src *s, size_t n, size_t *avail)
{
	if (!s->map)
		return src_peek_buffered(s, n, avail);
	if (n > SRC_MAX_WINDOW)
		n = SRC_MAX_WINDOW;
	size_t left = s->maplen - (size_t)s->pos;
	*avail = left < n ? left : n;
	return s->map + s->pos;
}

static inline void src_consume(struct src *s, size_t n)
{
	s->pos += n;
	if (!s->map) {
		s->start += n;
		return;
	}
	if (s->pos - s->released >= SRC_LAG + SRC_STEP + 4096)
		src_window(s);
	/* Every line a page ahead, each once (a record is ~3 lines; one per call left gaps). */
	size_t ahead = (size_t)s->pos + SRC_FETCH_AHEAD;
	if (ahead > s->maplen)
		ahead = s->maplen;
	for (; s->fetched < ahead; s->fetched += 64)
		__builtin_prefetch(s->map + s->fetched);
}

void src_close(struct src *s);

#endif
