/*
 * storm.h - Storm Worm's encrypted Overnet in a capture, one rule for the
 * report (proto_overnet.c) and `botlens botnet-size --from-capture`:
 *
 *   - a sample store keeps the first small datagram between high ports of
 *     each UDP flow that no parser claims (at most STORM_SAMPLES);
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

#define STORM_SAMPLES 65536      /* one datagram per UDP flow, at most */
#define STORM_MIN_SAMPLES 16
#define STORM_MIN_RATE 0.5

struct storm_sample {
	uint32_t tag;               /* the caller's (the report's flow index) */
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
 * and returns 1 when the key is taken (>= STORM_MIN_SAMPLES samples and a
 * decode rate >= STORM_MIN_RATE), 0 when not, -1 out of memory.
 */
int storm_key(const struct storm_samples *s, struct ov_keyguess *g);

/* What storm_key_capture found. */
struct storm_keyfind {
	size_t samples;             /* candidate datagrams that are not plain Overnet */
	bool found;                 /* the rule took the key */
	struct ov_keyguess g;
};
/*
 * One pass over the capture at path sampling the first candidate datagram
 * of every flow that is not plain Overnet, then storm_key.  Returns CAP_EOF
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
