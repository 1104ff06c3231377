/*
 * mmapwalk.c - the parsing limit of the `botlens flows` benchmark.
 *
 * Maps a classic pcap file and walks its 16-byte record headers, adding
 * up the captured lengths: the least work any pcap reader can do (no
 * copy, no decode, no checks beyond staying inside the file).  Prints
 * "records bytes".  Only pcap (us or ns, either byte order) is handled.
 *
 * Note: the whole file stays mapped, so its peak RSS counts every
 * file-backed page touched (about the file size), unlike a streaming
 * reader that unmaps as it goes.
 *
 * usage: mmapwalk FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mmapwalk FILE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "mmapwalk: cannot open '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	size_t n = (size_t)st.st_size;
	const uint8_t *m = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	if (m == MAP_FAILED || n < 24) {
		fprintf(stderr, "mmapwalk: cannot map '%s'\n", argv[1]);
		return 1;
	}
	madvise((void *)m, n, MADV_SEQUENTIAL);
	uint32_t magic = le32(m);
	int big;
	if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du)
		big = 0;
	else if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u)
		big = 1;
	else {
		fprintf(stderr, "mmapwalk: '%s' is not a pcap file\n", argv[1]);
		return 1;
	}
	uint64_t recs = 0, bytes = 0;
	size_t off = 24;
	while (n - off >= 16) {
		uint32_t cl = big ? be32(m + off + 8) : le32(m + off + 8);
		if (cl > n - off - 16)
			break;   /* cut short */
		off += 16 + (size_t)cl;
		recs++;
		bytes += cl;
	}
	printf("%llu %llu\n", (unsigned long long)recs, (unsigned long long)bytes);
	munmap((void *)m, n);
	close(fd);
	return 0;
}
