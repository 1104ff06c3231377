/*
 * fuzz_common.h - what the fuzz harnesses and the seed maker share.
 *
 * fuzz_decode input format (also written by seed_decode):
 *   byte 0   link type selector (index into fuzz_linktypes, modulo)
 *   byte 1   seconds between packets (drives flow and fragment ageing)
 *   then up to FUZZ_MAX_PKTS packets, each: length (2 bytes, big-endian),
 *   then that many bytes (fewer if the input ends).  A length with the
 *   top bit set marks a snaplen-cut packet: the on-wire length is 64
 *   bytes longer than the bytes given.
 */
#ifndef BOTLENS_FUZZ_COMMON_H
#define BOTLENS_FUZZ_COMMON_H

static const int fuzz_linktypes[] = {
	1, 0, 108, 12, 14, 101, 228, 229, 113, 276, 239, 9, 50, 104, 147,
};
#define FUZZ_NLINKTYPES (sizeof fuzz_linktypes / sizeof *fuzz_linktypes)
#define FUZZ_MAX_PKTS 64

#endif
