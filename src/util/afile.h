/*
 * afile.h - a file written whole or not at all.
 *
 * afile_open() creates "DIR/.NAME.XXXXXX" beside the target (the same
 * directory, so the final rename cannot cross file systems) with the
 * target's mode, or 0666 less the umask for a new file.  afile_commit()
 * flushes, fsyncs and renames it over the target; afile_abort() removes
 * it.  A reader of the target thus sees the old file or the new one,
 * never a truncated mix (SQLite's "Atomic Commit", git's lockfile.c).
 *
 * Targets that exist and are not regular files (/dev/null, /dev/full,
 * FIFOs, terminals), and symbolic links, are opened in place: renaming
 * over them would replace the device or the link.  So is a file in a
 * directory where no temporary file can be created (a writable file in a
 * read-only directory).  The rename gives the target a new inode: hard
 * links to the old file keep the old contents.
 */
#ifndef BOTLENS_AFILE_H
#define BOTLENS_AFILE_H

#include <stdio.h>

struct afile {
	char *tmp;          /* temporary path, NULL when written in place */
	char *path;         /* the target */
};

/* Opens for writing ("w" or "wb"); NULL with errno set (a is then empty). */
FILE *afile_open(struct afile *a, const char *path);
/* Closes f and moves it onto the target; -1 with errno on any failure (nothing left behind). */
int afile_commit(struct afile *a, FILE *f);
/* Closes f and removes the temporary file (a target written in place is left as it is). */
void afile_abort(struct afile *a, FILE *f);

#endif
