/*
 * storm.h - Storm Worm's encrypted Overnet in a capture, one rule for the
 * report (proto_overnet.c) and `botlens botnet-size --from-capture`:
 *
 *   - a sample store keeps small datagrams between high ports of each UDP
 *     flow that no parser claims, spread over the flow's life by one rule
 *     (storm_pick: the first STORM_FLOW_FIRST, then at doubling datagram
 *     numbers, STORM_FLOW_SAMPLES per flow at most; STORM_SAMPLES in all), so
 *     a bot with three long-lived peers still gives dozens of samples;
 *   - the samples vote for the 40-byte XOR key (p2p/xor.c), and the key is
 *     taken only from at least STORM_MIN_SAMPLES samples of which at least
 *     STORM_MIN_RATE decode under it;
 *   - the distinct Overnet peers of a capture are counted per time bin
 *     (p2p/size.c's passive counter), under that key if one is given.
 *
 * Library code: nothing here prints; errors go to the caller's buffer.
 */
#ifndef BOTLENS_STORM_H
#define BOTLENS_STORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "p2p/p2p.h"

#define STORM_SAMPLES 65536      /* datagrams kept in all, at most (~9 MB) */
#define STORM_FLOW_FIRST 4       /* the first candidate datagrams of a flow, all kept */
#define STORM_FLOW_SAMPLES 20    /* datagrams kept per flow, at most (the last past the 262,144th) */
#define STORM_MIN_SAMPLES 16
#define STORM_MIN_FLOWS 3        /* distinct flows whose samples decode under the key */
#define STORM_MIN_BODY 4         /* key bytes 4..39 known (voted by plaintext past the header) */
#define STORM_MIN_RATE 0.5

/*
 * The per-flow sampler, one rule for the report's collector and the
 * botnet-size key pass: keep datagram number k (1-based, both directions
 * counted) of a flow that has kept `kept` so far when kept is below
 * STORM_FLOW_FIRST, or when k has reached STORM_FLOW_FIRST << (kept -
 * STORM_FLOW_FIRST + 1): 1-4, then the first candidates at or past 8, 16,
 * 32, ... up to STORM_FLOW_SAMPLES.  Memory per flow is one counter; the
 * samples of a 100,000-datagram flow reach from its start to past 65,000.
 */
static inline bool storm_pick(uint64_t k, unsigned kept)
{
	if (kept >= STORM_FLOW_SAMPLES)
		return false;
	return kept < STORM_FLOW_FIRST || k >= (uint64_t)STORM_FLOW_FIRST << (kept - STORM_FLOW_FIRST + 1);
}

struct storm_sample {
	uint32_t tag;               /* the sample's flow (the report's flow index; botnet-size: the flow id) */
	uint32_t src_ip;
	uint16_t src_port, len;
	uint8_t data[OV_SAMPLE_MAX];
};

/* Invariant: n <= cap <= STORM_SAMPLES; a zeroed struct is an empty store. */
struct storm_samples {
	struct storm_sample *v;
	size_t n, cap;
};

/* True when p is an IPv4 UDP datagram that may carry Storm's encrypted Overnet. */
bool storm_candidate(const struct pkt *p);
/*
 * Keeps p's payload (a storm_candidate) with tag.  Returns 1 when kept, 0
 * when the store is full (STORM_SAMPLES), -1 out of memory.
 */
int storm_samples_add(struct storm_samples *s, const struct pkt *p, uint32_t tag);
void storm_samples_free(struct storm_samples *s);
/*
 * The key rule: votes over the samples (g always filled, also when too few)
 * and returns 1 when the key is taken, 0 when not, -1 out of memory.  The
 * key is taken from >= STORM_MIN_SAMPLES samples when at least
 * STORM_MIN_RATE of the samples and of the sampled flows (by tag) decode
 * under it, in at least STORM_MIN_FLOWS flows, and at least STORM_MIN_BODY
 * of key bytes 4..39 are known: a keyed overlay is spoken with several
 * peers, and its messages give known plaintext past the first bytes (the
 * sender's own address in Connect and Publicize, the kind byte of each
 * peer record).  Any fixed-format protocol "decodes" under a key fitted to
 * its constant magic and type bytes alone; that is no key.
 */
int storm_key(const struct storm_samples *s, struct ov_keyguess *g);

/* What storm_key_capture found. */
struct storm_keyfind {
	size_t samples;             /* candidate datagrams kept (storm_pick) that are not plain Overnet */
	bool found;                 /* the rule took the key */
	struct ov_keyguess g;
};
/*
 * One pass over the capture at path sampling the candidate datagrams of
 * every flow that is not plain Overnet (storm_pick), then storm_key.  Returns CAP_EOF
 * or the status that ended the pass (a damaged capture still votes with
 * what was read), CAP_OK never; -1 when the capture cannot be opened
 * (err filled) or out of memory (err "out of memory").
 */
int storm_key_capture(const char *path, struct storm_keyfind *out, char *err, size_t errlen);
/*
 * One pass counting the distinct Overnet peers of the capture at path into
 * sp (size_passive_init'ed, xor_on and key set by the caller).  Returns
 * the run's end status (CAP_EOF when the whole capture was read), or -1
 * when it cannot be opened (err filled).  sp->failed says out of memory.
 */
int storm_count_capture(const char *path, struct size_passive *sp, char *err, size_t errlen);

#endif
