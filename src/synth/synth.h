/*
 * synth.h - deterministic synthetic sandbox runs (pcap + ground truth).
 *
 * A scenario writes a realistic capture of one infected host (or more)
 * with a JSON sidecar telling which flows belong to which behavior.  The
 * same (scenario, seed, duration) always yields byte-identical output.
 */
#ifndef BOTLENS_SYNTH_H
#define BOTLENS_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* pcap writer (classic pcap, microsecond, little-endian, LINKTYPE_ETHERNET by default). */
struct pcapw {
	FILE *f;
	uint32_t snaplen;
	int linktype;
	uint64_t packets;
	uint64_t bytes;
};

int pcapw_open(struct pcapw *w, FILE *f, int linktype, uint32_t snaplen);
/* Writes one record; ts_ns since the epoch; wirelen >= len. Returns 0 or -1 (errno). */
int pcapw_write(struct pcapw *w, int64_t ts_ns, const uint8_t *data, uint32_t len,
		uint32_t wirelen);

struct synth_opts {
	const char *scenario;
	uint64_t seed;
	double duration;        /* seconds; 0 = the scenario's default */
	const char *pcap_path;  /* "-" = stdout */
	const char *truth_path; /* NULL = pcap_path + ".truth.json" (none for stdout) */
	const uint8_t *xor_key; /* storm scenarios: Storm's 40-byte XOR key over every
	                           Overnet datagram (the variant seen from October 2007); NULL = plain */
};

/* Names of the scenarios, NULL-terminated, and a one-line description each. */
extern const char *const synth_scenarios[];
const char *synth_describe(const char *scenario);

/* Writes the run. Returns 0, or -1 with err filled (the library never prints). */
int synth_run(const struct synth_opts *o, char *err, size_t errlen);

#endif
