/*
 * source.c - byte window over mmap, read(2) or zlib (see source.h).
 */
#include "capture/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SRC_CHUNK (1u << 20)          /* read/inflate granularity */

static int src_map(struct src *s, size_t len)
{
	void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, s->fd, 0);
	if (m == MAP_FAILED)
		return -1;
	madvise(m, len, MADV_SEQUENTIAL);
	s->map = m;
	s->maplen = len;
	return 0;
}

int src_open(struct src *s, const char *path)
{
	memset(s, 0, sizeof *s);
	if (!strcmp(path, "-")) {
		s->fd = STDIN_FILENO;
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0)
			return errno;
		s->own_fd = true;
	}
	struct stat st;
	if (fstat(s->fd, &st) != 0) {
		int e = errno;
		src_close(s);
		return e;
	}
	if (S_ISDIR(st.st_mode)) {
		src_close(s);
		return EISDIR;
	}
	uint8_t magic[2];
	if (S_ISREG(st.st_mode)) {
		s->size = (uint64_t)st.st_size;
		if (st.st_size > 0 && (uint64_t)st.st_size <= SIZE_MAX && src_map(s, (size_t)st.st_size) == 0) {
			if (s->maplen >= 2 && s->map[0] == 0x1f && s->map[1] == 0x8b) {
				munmap((void *)s->map, s->maplen);
				s->map = NULL;
				s->maplen = 0;
				s->gz = true;
			}
			return 0;
		}
		if (st.st_size > 0 && pread(s->fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
			s->gz = true;
		return 0;
	}
	return 0;  /* pipe: gzip detected on first fill */
}

/* Reads raw bytes (file or pipe) into dst; returns count, 0 at EOF, -1 error. */
static ssize_t raw_read(struct src *s, uint8_t *dst, size_t n)
{
	for (;;) {
		ssize_t r = read(s->fd, dst, n);
		if (r >= 0)
			return r;
		if (errno != EINTR) {
			s->err = errno;
			return -1;
		}
	}
}

static int gz_start(struct src *s)
{
	s->zin = malloc(SRC_CHUNK);
	if (!s->zin)
		return -1;
	memset(&s->zs, 0, sizeof s->zs);
	if (inflateInit2(&s->zs, 15 + 32) != Z_OK)
		return -1;
	s->zinit = true;
	return 0;
}

/*
 * Inflates into dst; handles concatenated members.  Returns count, 0 EOF,
 * -1 error.  A gzip error (damage, cut stream) after some bytes were
 * inflated in this call returns those bytes first and the error on the
 * next call (s->zfail), so the records before the damage are read.
 */
static ssize_t gz_read(struct src *s, uint8_t *dst, size_t n)
{
	if (s->zfail) {
		s->err = -1;
		return -1;
	}
	s->zs.next_out = dst;
	s->zs.avail_out = (uInt)n;
	while (s->zs.avail_out == n && !s->zdone) {
		if (s->zs.avail_in == 0) {
			ssize_t r = raw_read(s, s->zin, SRC_CHUNK);
			if (r < 0)
				return -1;
			if (r == 0) {
				s->zmsg = "gzip stream cut short";
				goto fail;
			}
			s->zs.next_in = s->zin;
			s->zs.avail_in = (uInt)r;
		}
		int z = inflate(&s->zs, Z_NO_FLUSH);
		if (z == Z_STREAM_END) {
			/* Another member may follow; check for more input. */
			if (s->zs.avail_in == 0) {
				ssize_t r = raw_read(s, s->zin, SRC_CHUNK);
				if (r < 0)
					return -1;
				s->zs.next_in = s->zin;
				s->zs.avail_in = (uInt)r;
			}
			if (s->zs.avail_in == 0)
				s->zdone = true;
			else
				inflateReset(&s->zs);
		} else if (z != Z_OK && z != Z_BUF_ERROR) {
			s->zmsg = s->zs.msg ? s->zs.msg : "corrupt gzip data";
			goto fail;
		}
	}
	return (ssize_t)(n - s->zs.avail_out);
fail:
	s->zfail = true;
	if (n - s->zs.avail_out > 0)
		return (ssize_t)(n - s->zs.avail_out);
	s->err = -1;
	return -1;
}

/* Fills the buffer so that at least n bytes are available, if input allows. */
static int buf_fill(struct src *s, size_t n)
{
	if (s->start > 0 && s->bufcap - s->start < n + SRC_CHUNK) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	size_t need = n + SRC_CHUNK;
	if (need > s->bufcap) {
		uint8_t *nb = realloc(s->buf, need);
		if (!nb) {
			s->err = ENOMEM;
			return -1;
		}
		s->buf = nb;
		s->bufcap = need;
	}
	while (s->end - s->start < n && !s->eof) {
		if (!s->zinit && !s->gz && s->pos == 0 && s->end == 0) {
			/* First read of a pipe: sniff gzip magic. */
			ssize_t r = raw_read(s, s->buf, 2);
			if (r < 0)
				return -1;
			if (r == 2 && s->buf[0] == 0x1f && s->buf[1] == 0x8b) {
				s->gz = true;
				if (gz_start(s) != 0)
					return s->err = ENOMEM, -1;
				memcpy(s->zin, s->buf, 2);
				s->zs.next_in = s->zin;
				s->zs.avail_in = 2;
				continue;
			}
			s->end = (size_t)r;
			if (r == 0)
				s->eof = true;
			continue;
		}
		if (s->gz && !s->zinit && gz_start(s) != 0)
			return s->err = ENOMEM, -1;
		size_t room = s->bufcap - s->end;
		ssize_t r = s->gz ? gz_read(s, s->buf + s->end, room) : raw_read(s, s->buf + s->end, room);
		if (r < 0 && s->zfail && s->end > s->start) {
			/* damaged gzip: the bytes inflated before the damage are still
			 * records; the reader finds the end and reports s->err there */
			s->eof = true;
			break;
		}
		if (r < 0)
			return -1;
		if (r == 0)
			s->eof = true;
		s->end += (size_t)r;
	}
	return 0;
}

const uint8_t *src_peek_buffered(struct src *s, size_t n, size_t *avail)
{
	if (n > SRC_MAX_WINDOW)
		n = SRC_MAX_WINDOW;
	if (s->end - s->start < n && buf_fill(s, n) != 0) {
		*avail = 0;
		return NULL;
	}
	size_t have = s->end - s->start;
	*avail = have < n ? have : n;
	return s->buf ? s->buf + s->start : NULL;
}

/*
 * Every SRC_STEP bytes: gives back the pages more than SRC_LAG behind
 * (they are re-read from the file if touched again, so pointers into them
 * stay valid) and maps what is new of the next SRC_AHEAD in one call,
 * instead of a page fault per 64 KiB.
 */
void src_window(struct src *s)
{
	size_t upto = (size_t)(s->pos & ~(uint64_t)4095) - SRC_LAG;
	madvise((void *)(s->map + s->released), upto - s->released, MADV_DONTNEED);
	s->released = upto;
#ifdef MADV_POPULATE_READ
	size_t from = (size_t)(s->pos & ~(uint64_t)4095);
	if (from < s->populated)
		from = s->populated;
	size_t end = (size_t)(s->pos & ~(uint64_t)4095) + SRC_AHEAD;
	if (end > s->maplen)
		end = s->maplen;
	if (from < end) {
		madvise((void *)(s->map + from), end - from, MADV_POPULATE_READ);  /* a hint: errors ignored */
		s->populated = end;
	}
#endif
}

void src_close(struct src *s)
{
	if (s->map)
		munmap((void *)s->map, s->maplen);
	if (s->zinit)
		inflateEnd(&s->zs);
	free(s->zin);
	free(s->buf);
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->map = NULL;
	s->buf = NULL;
	s->zin = NULL;
	s->zinit = false;
}
