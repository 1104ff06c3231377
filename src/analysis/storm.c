/*
 * storm.c - Storm Worm's key and peers in a capture (see storm.h): the
 * sample store, the key rule, and the two capture passes of
 * `botnet-size --from-capture`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/storm.h"
#include "engine/run.h"
#include "util/hash.h"

static uint32_t ipv4_of(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

bool storm_candidate(const struct pkt *p)
{
	return p->family == 4 && p->proto == 17 && ov_xor_candidate(p->payload_caplen, p->sport, p->dport);
}

int storm_samples_add(struct storm_samples *s, const struct pkt *p, uint32_t tag)
{
	if (s->n >= STORM_SAMPLES)
		return 0;
	if (!grow_to((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v, 256))
		return -1;
	struct storm_sample *x = &s->v[s->n++];
	x->tag = tag;
	x->src_ip = ipv4_of(p->src);
	x->src_port = p->sport;
	x->len = (uint16_t)p->payload_caplen;
	memcpy(x->data, p->payload, p->payload_caplen);
	return 1;
}

void storm_samples_free(struct storm_samples *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Distinct tags of v[0..n) (sorted in place), and of those the ones with bit 0 set. */
static void count_flows(uint64_t *v, size_t n, size_t *flows, size_t *decoded)
{
	qsort(v, n, sizeof *v, cmp_u64);
	*flows = *decoded = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		bool ok = false;
		while (j < n && v[j] >> 1 == v[i] >> 1)
			ok |= v[j++] & 1;
		++*flows;
		*decoded += ok;
		i = j;
	}
}

int storm_key(const struct storm_samples *s, struct ov_keyguess *g)
{
	struct ov_sample *v = malloc((s->n ? s->n : 1) * sizeof *v);
	uint64_t *t = malloc((s->n ? s->n : 1) * sizeof *t);
	if (!v || !t) {
		free(v);
		free(t);
		return -1;
	}
	for (size_t i = 0; i < s->n; i++)
		v[i] = (struct ov_sample){ s->v[i].data, s->v[i].len, s->v[i].src_ip, s->v[i].src_port };
	ov_xor_recover(v, s->n, g);
	free(v);
	if (s->n < STORM_MIN_SAMPLES || g->decode_rate < STORM_MIN_RATE ||
	    __builtin_popcountll(g->known >> 4) < STORM_MIN_BODY) {
		free(t);
		return 0;
	}
	for (size_t i = 0; i < s->n; i++) {   /* tag << 1 | decodes under the key */
		uint8_t b[OV_SAMPLE_MAX];
		struct ov_msg m;
		memcpy(b, s->v[i].data, s->v[i].len);
		ov_xor(b, s->v[i].len, g->key);
		t[i] = (uint64_t)s->v[i].tag << 1 | (ov_decode(b, s->v[i].len, &m) == OV_OK);
	}
	size_t flows, decoded;
	count_flows(t, s->n, &flows, &decoded);
	free(t);
	return decoded >= STORM_MIN_FLOWS && (double)decoded >= STORM_MIN_RATE * (double)flows;
}

struct key_pass {
	struct storm_samples s;
	bool oom;
};

/*
 * The candidate datagrams of each flow that storm_pick keeps (f->user
 * counts them), unless the flow speaks plain Overnet: a datagram that
 * decodes as it is closes the flow to sampling.
 */
static void key_packet(void *ctx, const struct run *r, const struct pkt *p, const struct flow *f, int dir)
{
	(void)r;
	(void)dir;
	struct key_pass *k = ctx;
	struct ov_msg m;
	if (!f || k->s.n >= STORM_SAMPLES || !storm_candidate(p) || !storm_pick(f->pkts[0] + f->pkts[1], f->user))
		return;
	if (ov_decode(p->payload, p->payload_caplen, &m) == OV_OK) {
		((struct flow *)f)->user = STORM_FLOW_SAMPLES;
		return;
	}
	int rc = storm_samples_add(&k->s, p, (uint32_t)f->id);
	if (rc < 0)
		k->oom = true;
	((struct flow *)f)->user += rc > 0;
}

int storm_key_capture(const char *path, struct storm_keyfind *out, char *err, size_t errlen)
{
	struct key_pass k = { 0 };
	struct run_opts o = { .threads = 1, .track_flows = true };
	flow_cfg_default(&o.flow);
	struct run r;
	memset(out, 0, sizeof *out);
	if (run_open(&r, path, &o, err, errlen) != CAP_OK)
		return -1;
	struct run_sub sub = { .ctx = &k, .packet = key_packet };
	int st = run_loop(&r, &sub, 1);
	run_close(&r);
	int found = k.oom ? -1 : storm_key(&k.s, &out->g);
	out->samples = k.s.n;
	storm_samples_free(&k.s);
	if (found < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	out->found = found;
	return st;
}

/* Each UDP payload of the capture, as seen from its remote end. */
static void count_packet(void *ctx, const struct run *r, const struct pkt *p, const struct flow *f, int dir)
{
	struct size_passive *s = ctx;
	if (p->family != 4 || p->proto != 17 || !p->has_ports || p->payload_caplen < p->payload_len ||
	    p->payload_len < 2)
		return;
	bool src_remote = !decode_addr_internal(4, p->src) || decode_addr_internal(4, p->dst);
	(void)size_passive_add(s, (double)p->ts_ns * 1e-9, ipv4_of(src_remote ? p->src : p->dst),
			       src_remote ? p->sport : p->dport, p->payload, p->payload_len);
}

int storm_count_capture(const char *path, struct size_passive *sp, char *err, size_t errlen)
{
	struct run_opts o = { .threads = 1 };
	flow_cfg_default(&o.flow);
	struct run r;
	if (run_open(&r, path, &o, err, errlen) != CAP_OK)
		return -1;
	struct run_sub sub = { .ctx = sp, .packet = count_packet };
	int st = run_loop(&r, &sub, 1);
	run_close(&r);
	return st;
}
