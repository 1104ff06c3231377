/*
 * afile.c - a file written whole or not at all (see afile.h).
 */
#include "util/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *afile_open(struct afile *a, const char *path)
{
	struct stat st, lst;
	a->tmp = NULL;
	a->path = NULL;
	bool exists = stat(path, &st) == 0;
	if ((exists && !S_ISREG(st.st_mode)) || (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)))
		return fopen(path, "w");
	const char *base = strrchr(path, '/');
	size_t dirlen = base ? (size_t)(base - path) + 1 : 0;
	base = base ? base + 1 : path;
	char *tmp = malloc(strlen(path) + 16), *dup = strdup(path);
	if (!tmp || !dup) {
		free(tmp);
		free(dup);
		errno = ENOMEM;
		return NULL;
	}
	snprintf(tmp, strlen(path) + 16, "%.*s.%s.XXXXXX", (int)dirlen, path, base);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		/* a directory we may not write to, holding a file we may: write in place, as before */
		free(tmp);
		free(dup);
		return fopen(path, "w");
	}
	mode_t um = umask(0);
	umask(um);
	if (fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~um) != 0) {
		/* the file stays 0600: still usable */
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int e = errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		free(dup);
		errno = e;
		return NULL;
	}
	a->tmp = tmp;
	a->path = dup;
	return f;
}

int afile_commit(struct afile *a, FILE *f)
{
	int e = 0;
	if (ferror(f) || fflush(f) != 0)
		e = errno ? errno : EIO;
	if (!e && a->tmp && fsync(fileno(f)) != 0)
		e = errno;
	if (fclose(f) != 0 && !e)
		e = errno ? errno : EIO;
	if (a->tmp) {
		if (!e && rename(a->tmp, a->path) != 0)
			e = errno;
		if (e)
			unlink(a->tmp);
	}
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
	errno = e;
	return e ? -1 : 0;
}

void afile_abort(struct afile *a, FILE *f)
{
	fclose(f);
	if (a->tmp)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
}
