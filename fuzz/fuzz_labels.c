/*
 * fuzz_labels.c - libFuzzer harness for the labels file reader
 * (behavior/input.c, bh_labels_load, which takes a path): the input is
 * written to an anonymous memory file and read through /proc/self/fd.
 * Every name that loads must map back to a family.
 */
#include "behavior/behavior.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("labels", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	char err[256];
	struct bh_labels l;
	if (bh_labels_load(&l, path, err, sizeof err) == 0) {
		for (size_t i = 0; i < l.n; i++)
			if (!l.fam[i])
				abort();
		bh_labels_free(&l);
	}
	return 0;
}
