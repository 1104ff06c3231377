/*
 * test_contacts.c - per-packet contacts stay bounded: when the array is
 * full the merge window doubles and runs merge, keeping every packet's
 * weight and each flow direction's port.
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

int main(void)
{
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
