/*
 * walk.h - the one directory walker, for every command that takes a
 * directory as an operand (captures: cli/inputs.c; behavior reports:
 * behavior/input.c).
 *
 * Entries are visited sorted by name (strcmp), hidden ones (".x")
 * skipped; symbolic links are followed, but each directory (device,
 * inode) is entered at most once, so `ln -s . a` neither hangs nor reads
 * a file twice: the second way in is a note.  FIFOs, sockets and devices
 * are notes, never opened; a subdirectory that cannot be read is an
 * error and the walk goes on.  Nothing here prints.
 */
#ifndef BOTLENS_UTIL_WALK_H
#define BOTLENS_UTIL_WALK_H

#include <stdbool.h>

#define WALK_DEPTH 64   /* directories below the root, at most */

enum walk_kind {
	WALK_FILE,      /* a regular file (msg NULL) */
	WALK_NOTE,      /* skipped on purpose: a loop, a FIFO or device, a broken link (msg says which) */
	WALK_ERROR,     /* could not be read (msg: strerror, or "directories nested too deep") */
};

/* Called for every entry in order; returning false stops the walk. */
typedef bool (*walk_fn)(void *ctx, enum walk_kind k, const char *path, const char *msg);

/*
 * Walks the directory dir.  Returns 0 when walked to the end, -1 when fn
 * stopped it, or an errno: dir itself cannot be opened (fn not called),
 * or ENOMEM.
 */
int walk_dir(const char *dir, walk_fn fn, void *ctx);

#endif
