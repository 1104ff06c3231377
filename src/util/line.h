/*
 * line.h - a line reader with a length cap, for every text file botlens
 * reads (models, cluster states, crawl snapshots, truth and labels files).
 *
 * getline(3) grows its buffer until it meets a newline: on /dev/zero or a
 * crafted file it takes all memory.  line_next() stops at `max` bytes and
 * says so, so a reader can fail with "line N longer than 1 MiB" at once.
 * Memory: the buffer never exceeds max + 1 bytes.
 */
#ifndef BOTLENS_LINE_H
#define BOTLENS_LINE_H

#include <stddef.h>
#include <stdio.h>

#define LINE_MAX_DEFAULT ((size_t)1 << 20)   /* 1 MiB */

struct line {
	char *buf;              /* the line, without its newline, NUL-terminated */
	size_t len, cap;
	size_t max;             /* longest line accepted (0 = LINE_MAX_DEFAULT) */
	unsigned long long no;  /* number of the line last read (1-based) */
};

enum { LINE_OK = 0, LINE_EOF = -1, LINE_TOOLONG = -2, LINE_NOMEM = -3, LINE_EIO = -4 };

/*
 * Reads the next line of f into l->buf (a final "\r" is kept).  Returns
 * LINE_OK, LINE_EOF at the end of input (no bytes), LINE_TOOLONG when the
 * line exceeds l->max (reading stops there), LINE_NOMEM, or LINE_EIO on a
 * read error (errno set).
 */
int line_next(struct line *l, FILE *f);

/* Writes "line N longer than M MiB" (or the other failures) into err. */
void line_error(const struct line *l, int rc, char *err, size_t errlen);

void line_free(struct line *l);

#endif
