/*
 * test_contacts.c - per-packet contacts stay bounded: when the array is
 * full the merge window doubles and runs merge, keeping every packet's
 * weight and each flow direction's port.  Per-flow contacts, packed
 * during the pass, come back from contacts_select as they went in:
 * time, port, protocol, weight 1 and both hosts, past 65,535 hosts and
 * for a flow whose responder has no host.  Per-packet merging gives the
 * contacts a plain reference implementation of its rule gives.
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/contacts.h"

static struct pkt mkpkt(int64_t ts, uint8_t last_octet, uint16_t dport)
{
	struct pkt p;
	memset(&p, 0, sizeof p);
	p.ts_ns = ts;
	p.family = 4;
	p.proto = 17;
	p.has_ports = true;
	p.src[0] = 10, p.src[3] = 5;
	p.dst[0] = 8, p.dst[3] = last_octet;
	p.sport = 40000;
	p.dport = dport;
	p.wirelen = 60;
	return p;
}

#define NFLOWS 70000  /* responders past index 65,535: the packed high bits */

static struct flow mkflow(uint32_t k)
{
	static const uint8_t protos[] = { 6, 17, 1, 58 };
	struct flow f;
	memset(&f, 0, sizeof f);
	f.family = 4;
	f.proto = protos[k % 4];
	f.resp_p = (uint16_t)(k * 7919u);
	f.first_ns = (int64_t)k * 1000003LL + 5;
	f.orig[0] = 10, f.orig[3] = (uint8_t)(1 + k % 3);
	f.resp[0] = 100, f.resp[1] = (uint8_t)(k >> 16), f.resp[2] = (uint8_t)(k >> 8), f.resp[3] = (uint8_t)k;
	return f;
}

/* The contacts of originator o (1..3) match the flows fed, in order. */
static unsigned check_out(const struct contacts *c, const struct run *r, uint8_t o)
{
	struct flow f0 = mkflow(o - 1u);
	const struct host *h = hosttab_find(r->hosts, 4, f0.orig);
	struct contact *v;
	size_t n = h ? contacts_select(c, h, CONTACTS_OUT, &v) : 0, j = 0;
	unsigned ok = h != NULL;
	for (uint32_t k = o - 1u; k < NFLOWS && ok; k += 3, j++) {
		struct flow f = mkflow(k);
		ok = j < n && v[j].t == (float)run_rel(r, f.first_ns) && v[j].port == f.resp_p &&
		     v[j].proto == f.proto && v[j].weight == 1 && v[j].src == h &&
		     v[j].dst == hosttab_find(r->hosts, 4, f.resp);
	}
	ok = ok && j + (o == 1) == n;  /* originator 1 also sent the flow to an unknown responder */
	if (ok && o == 1)
		ok = v[j].dst == NULL && v[j].src == h && v[j].port == 9 && v[j].proto == 17;
	if (h)
		free(v);
	return ok;
}

static void per_flow(void)
{
	TEST("contacts-per-flow-packed");
	struct run r;
	memset(&r, 0, sizeof r);
	r.hosts = hosttab_new(1, false);
	struct contacts c;
	contacts_init(&c, false);
	struct run_sub sub = contacts_sub(&c);
	bool added = true;
	for (uint32_t k = 0; k < NFLOWS; k++) {
		struct flow f = mkflow(k);
		added &= hosttab_flow(r.hosts, &f);
		sub.flow_end(sub.ctx, &r, &f);
	}
	CHECK(added);
	struct flow lone = mkflow(0);  /* its responder never entered the host table */
	lone.resp[0] = 200, lone.resp_p = 9, lone.proto = 17;
	sub.flow_end(sub.ctx, &r, &lone);
	r.have_time = true;
	r.last_ns = mkflow(NFLOWS - 1).first_ns;
	contacts_finish(&c, &r);
	CHECK_EQ_U(c.n, NFLOWS + 1);
	CHECK(!c.oom && !c.v);
	for (uint8_t o = 1; o <= 3; o++)
		CHECK(check_out(&c, &r, o));
	struct flow last = mkflow(NFLOWS - 1);  /* a responder with an index past 65,535 */
	const struct host *h = hosttab_find(r.hosts, 4, last.resp);
	CHECK(h && h->index > 65535);
	struct contact *v = NULL;
	size_t n = h ? contacts_select(&c, h, CONTACTS_IN, &v) : 0;
	CHECK_EQ_U(n, 1);
	CHECK(n == 1 && v[0].dst == h && v[0].port == last.resp_p && v[0].proto == last.proto);
	free(v);
	CHECK_EQ_U(h ? contacts_select(&c, h, CONTACTS_OUT, &v) : 1, 0);
	contacts_free(&c);
	hosttab_free(r.hosts);
}

/*
 * The reference for per-packet merging: contacts.c's rule written the
 * plain way (a full array triggers compactions; in each, a contact joins
 * the latest group of its key, same src, dst, port and protocol, when
 * within the doubled window of that group's first contact), against
 * which the hashed and numbered compactions must give the same contacts.
 */
struct ref {
	struct contact v[4096];
	size_t n, max;
	float window;
	struct { uint64_t key; size_t idx; } cache[CONTACTS_CACHE];
};

static bool ref_same(const struct contact *x, const struct contact *y)
{
	return x->src == y->src && x->dst == y->dst && x->port == y->port && x->proto == y->proto;
}

static void ref_compact(struct ref *c)
{
	c->window *= 2;
	size_t j = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t g = j;
		while (g > 0 && !ref_same(&c->v[g - 1], &c->v[i]))
			g--;
		if (g > 0 && c->v[i].t - c->v[g - 1].t < c->window) {
			c->v[g - 1].weight += c->v[i].weight;
			continue;
		}
		c->v[j++] = c->v[i];
	}
	c->n = j;
	for (size_t i = 0; i < CONTACTS_CACHE; i++)
		c->cache[i].key = UINT64_MAX;
}

static void ref_packet(struct ref *c, struct contact k, uint64_t key)
{
	size_t slot = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 52) & (CONTACTS_CACHE - 1);
	if (c->cache[slot].key == key && k.t - c->v[c->cache[slot].idx].t < c->window) {
		c->v[c->cache[slot].idx].weight++;
		return;
	}
	if (c->n >= c->max) {
		float latest = c->v[c->n - 1].t;
		while (c->n >= c->max / 2 && c->window <= latest) {
			size_t before = c->n;
			ref_compact(c);
			if (c->n > before - before / 8)
				c->window *= 2;
		}
	}
	if (c->n == sizeof c->v / sizeof c->v[0])
		return;  /* the caller checks n against the real one */
	c->v[c->n] = k;
	c->cache[slot].key = key;
	c->cache[slot].idx = c->n++;
}

/* contacts_select_hosts of 16 hosts of the stream below gives what contacts_select gives each. */
static bool select_hosts_same(const struct contacts *c, const struct run *r)
{
	const struct host *hs[16];
	unsigned nh = 0;
	for (uint8_t k = 1; k <= 16; k++) {  /* the 4 originators 10.0.0.1-4, 12 responders 8.0.0.1-12 */
		uint8_t a[16] = { k <= 4 ? 10 : 8, 0, 0, k <= 4 ? k : (uint8_t)(k - 4) };
		if ((hs[nh] = hosttab_find(r->hosts, 4, a)))
			nh++;
	}
	struct contact *outs[16];
	size_t counts[16];
	bool ok = nh == 16 && !contacts_select_hosts(c, hs, nh, CONTACTS_ALL, outs, counts);
	for (unsigned i = 0; i < nh && ok; i++) {
		struct contact *v;
		size_t n = contacts_select(c, hs[i], CONTACTS_ALL, &v);
		ok = n == counts[i] && (!n || !memcmp(v, outs[i], n * sizeof *v));
		free(v);
	}
	for (unsigned i = 0; i < nh && ok; i++)
		free(outs[i]);
	return ok;
}

/*
 * A pseudo-random stream: 400 flows between 24 hosts on 6 ports, 30,000
 * packets over ~2.5 hours, from a first window of window0 seconds (1: the
 * default; else no coarsening counts as the first, which notes keys
 * sooner: both ways of numbering keys are checked), max contacts kept
 * (4096: the array's first size, so the key table's room past the
 * contacts is grown, as on a big capture; 512: it is there already).
 */
static void per_packet_reference(float window0, size_t max)
{
	TEST("contacts-per-packet-as-reference");
	enum { NF = 400, NPKT = 30000 };
	static struct ref ref;
	memset(&ref, 0, sizeof ref);
	ref.max = max, ref.window = window0;
	for (size_t i = 0; i < CONTACTS_CACHE; i++)
		ref.cache[i].key = UINT64_MAX;
	struct run r;
	memset(&r, 0, sizeof r);
	r.hosts = hosttab_new(1, false);
	struct contacts c;
	contacts_init(&c, true);
	c.max = ref.max;
	c.window = window0;
	struct run_sub sub = contacts_sub(&c);
	static struct flow f[NF];
	uint64_t x = 88172645463325252ull;
	for (uint32_t k = 0; k < NF; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memset(&f[k], 0, sizeof f[k]);
		f[k].id = k + 1;
		f[k].family = 4;
		f[k].proto = x % 3 ? 17 : 6;
		f[k].orig[0] = 10, f[k].orig[3] = (uint8_t)(1 + x % 4);
		f[k].resp[0] = 8, f[k].resp[3] = (uint8_t)(1 + (x >> 8) % 20);
		f[k].orig_p = (uint16_t)(40000 + k);
		f[k].resp_p = (uint16_t)(1000 + (x >> 16) % 6);
	}
	int64_t t = 0;
	bool ok = true;
	for (uint32_t i = 0; i < NPKT && ok; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		t += (int64_t)(x % 600) * 1000000LL;  /* 0 to 0.6 s apart */
		struct flow *fl = &f[(x >> 12) % NF];
		int dir = (int)((x >> 40) & 1);
		struct pkt p = mkpkt(t, 0, dir ? fl->orig_p : fl->resp_p);
		p.proto = fl->proto;
		memcpy(p.src, dir ? fl->resp : fl->orig, 16);
		memcpy(p.dst, dir ? fl->orig : fl->resp, 16);
		ok = hosttab_packet(r.hosts, &p);
		sub.packet(sub.ctx, &r, &p, fl, dir);
		struct contact k = { .t = (float)run_rel(&r, t), .port = p.dport, .proto = p.proto, .weight = 1,
				     .src = hosttab_flow_host(r.hosts, fl, dir), .dst = hosttab_flow_host(r.hosts, fl, !dir) };
		ref_packet(&ref, k, fl->id * 2 + (uint64_t)dir);
	}
	contacts_finish(&c, &r);
	CHECK(ok && !c.oom);
	CHECK(c.window > 64.0f);  /* several coarsenings, some of several compactions */
	CHECK_EQ_U(c.n, ref.n);
	CHECK(c.window == ref.window);
	unsigned same = c.n == ref.n;
	for (size_t i = 0; i < c.n && same; i++)
		same = c.v[i].t == ref.v[i].t && c.v[i].weight == ref.v[i].weight && ref_same(&c.v[i], &ref.v[i]);
	CHECK(same);
	CHECK(select_hosts_same(&c, &r));
	contacts_free(&c);
	hosttab_free(r.hosts);
}

int main(void)
{
	per_flow();
	per_packet_reference(1.0f, 512);
	per_packet_reference(1.5f, 512);
	per_packet_reference(1.0f, 4096);
	TEST("contacts-bounded");
	struct run r;
	memset(&r, 0, sizeof r);
	r.hosts = hosttab_new(1, false);
	r.start_ns = 0;
	struct contacts c;
	contacts_init(&c, true);
	c.max = 64;  /* tiny, to force merging */
	struct run_sub sub = contacts_sub(&c);
	struct flow f[4];
	memset(f, 0, sizeof f);
	uint64_t sent = 0;
	/* 4 flow directions, one packet every 1.5 s for 10 minutes: 1,600 runs at a 1 s window */
	for (int64_t t = 0; t < 600000000000LL; t += 1500000000LL) {
		for (int k = 0; k < 4; k++) {
			struct pkt p = mkpkt(t, (uint8_t)(1 + k), (uint16_t)(1000 + k));
			hosttab_packet(r.hosts, &p);
			f[k].id = (uint64_t)k + 1;
			f[k].family = 4;
			memcpy(f[k].orig, p.src, 16);
			memcpy(f[k].resp, p.dst, 16);
			sub.packet(sub.ctx, &r, &p, &f[k], 0);
			sent++;
		}
	}
	contacts_finish(&c, &r);
	CHECK(c.n < c.max);
	CHECK(c.window > 1.0f);
	CHECK(!c.oom);
	uint64_t w = 0;
	unsigned ports_ok = 1;
	for (size_t i = 0; i < c.n; i++) {
		w += c.v[i].weight;
		uint8_t k = c.v[i].dst->addr[3];
		ports_ok &= c.v[i].port == 1000 + k - 1;
		if (i)
			ports_ok &= c.v[i - 1].t <= c.v[i].t;  /* kept in time order */
	}
	CHECK_EQ_U(w, sent);
	CHECK(ports_ok);
	contacts_free(&c);
	hosttab_free(r.hosts);
	return harness_report("contacts");
}
