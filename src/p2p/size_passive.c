/*
 * size_passive.c - the passive counter: distinct Overnet peers in a
 * capture per time bin (botnet-size --from-capture; analysis/storm.c
 * feeds it), after Storm's XOR key when one is set.
 */
#include "p2p/size-int.h"

int size_passive_init(struct size_passive *s, double bin)
{
	memset(s, 0, sizeof *s);
	s->bin = bin > 0 ? bin : 60;
	s->set = size_calloc(1, sizeof(struct u64set));
	if (!s->set) {
		s->failed = true;
		return -1;
	}
	return 0;
}

/*
 * Counts one UDP payload that decodes as Overnet (after the XOR key when
 * set): its remote endpoint is a peer.
 * Bins are per `bin` seconds from the first message; a bin's `peers`
 * counts distinct peers in the bin, `new_peers` those never seen before.
 * Returns -1 (and sets s->failed: the counts are incomplete) when memory
 * runs out; later calls then do nothing.
 */
int size_passive_add(struct size_passive *s, double t, uint32_t ip, uint16_t port, const uint8_t *data,
		     size_t len)
{
	uint8_t buf[2048];
	struct ov_msg m;
	if (s->failed)
		return -1;
	if (len > sizeof buf || len < 2)
		return 0;
	memcpy(buf, data, len);
	if (s->xor_on)
		ov_xor(buf, len, s->key);
	if (ov_decode(buf, len, &m) != OV_OK) {
		s->bad += buf[0] == OV_MAGIC;
		return 0;
	}
	struct u64set *all = s->set;
	double t0 = s->nbins ? s->bins[0].t : t;
	size_t b = t > t0 ? (size_t)((t - t0) / s->bin) : 0;
	while (s->nbins <= b) {
		if (s->nbins == s->cap) {
			unsigned nc = s->cap ? s->cap * 2 : 64;
			struct size_passive_bin *nb = size_realloc(s->bins, nc * sizeof *nb);
			if (!nb) {
				s->failed = true;
				return -1;
			}
			s->bins = nb;
			s->cap = nc;
		}
		s->bins[s->nbins] = (struct size_passive_bin){ t0 + s->nbins * s->bin, 0, 0, 0 };
		s->nbins++;
	}
	/* key: endpoint, tagged with the bin so per-bin distinct counts share one set */
	uint64_t k = addr_key(ip, port);
	int is_new = u64set_add(all, k), in_bin = is_new < 0 ? -1 : u64set_add(all, u64set_mix(k) ^ ((uint64_t)(b + 1) << 48) ^ 0x5bd1e995u);
	if (in_bin < 0) {
		s->failed = true;
		return -1;
	}
	s->msgs++;
	struct size_passive_bin *bn = &s->bins[b];
	bn->msgs++;
	if (is_new) {
		bn->new_peers++;
		s->distinct++;
	}
	bn->peers += (unsigned)in_bin;
	return 0;
}

void size_passive_free(struct size_passive *s)
{
	if (s->set) {
		u64set_free(s->set);
		free(s->set);
	}
	free(s->bins);
	memset(s, 0, sizeof *s);
}
