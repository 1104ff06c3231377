/*
 * test_dpi.c - nDPI through analysis/dpi.c on hand-built IPv4 packets: a
 * DNS query over UDP and a TLS ClientHello with an SNI over TCP must come
 * out as nDPI's DNS and TLS; the collector side frees a flow's state as
 * soon as detection ends; the nDPI -> rp_app table and rp_flow_risk.
 * Packets are heap copies of exactly their length so ASan catches any
 * overread by nDPI or by us.
 */
#include <stdlib.h>
#include <string.h>

#include <ndpi_protocol_ids.h>

#include "analysis/dpi_work.h"
#include "analysis/report-int.h"
#include "harness.h"

/* An IPv4 packet (20-byte header) with a UDP (17) or TCP (6) header and
 * payload pl[0..n), into a new heap buffer of exactly its length. */
static uint8_t *ipv4(uint8_t proto, uint16_t sport, uint16_t dport, const uint8_t *pl, size_t n,
		     size_t *len)
{
	size_t l4 = proto == 6 ? 20 : 8, tot = 20 + l4 + n;
	uint8_t *b = calloc(1, tot);
	b[0] = 0x45;
	b[2] = (uint8_t)(tot >> 8), b[3] = (uint8_t)tot;
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, (const uint8_t[]){ 192, 168, 1, 10 }, 4);
	memcpy(b + 16, (const uint8_t[]){ 8, 8, 4, 4 }, 4);
	uint8_t *t = b + 20;
	t[0] = (uint8_t)(sport >> 8), t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8), t[3] = (uint8_t)dport;
	if (proto == 6) {
		t[7] = 1;               /* seq 1 */
		t[11] = 1;              /* ack 1 */
		t[12] = 5 << 4;         /* header length 20 */
		t[13] = 0x18;           /* PSH ACK */
		t[14] = 0xff;           /* window */
	} else {
		t[4] = (uint8_t)((8 + n) >> 8), t[5] = (uint8_t)(8 + n);
	}
	memcpy(t + l4, pl, n);
	*len = tot;
	return b;
}

static const uint8_t dns_query[] = {
	0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
};

/* A TLS 1.2 ClientHello to www.google.com: record, handshake header, body. */
static size_t client_hello(uint8_t *b)
{
	static const char sni[] = "www.google.com";
	size_t sl = sizeof sni - 1, n = 0;
	uint8_t body[256];
	body[n++] = 3, body[n++] = 3;                          /* client_version */
	for (int i = 0; i < 32; i++)
		body[n++] = (uint8_t)(i * 7 + 1);              /* random */
	body[n++] = 0;                                         /* session id */
	body[n++] = 0, body[n++] = 4;                          /* cipher suites */
	body[n++] = 0xc0, body[n++] = 0x2f, body[n++] = 0x00, body[n++] = 0x9c;
	body[n++] = 1, body[n++] = 0;                          /* compression: null */
	size_t ext = 9 + sl;                                   /* server_name extension */
	body[n++] = 0, body[n++] = (uint8_t)ext;
	body[n++] = 0, body[n++] = 0;                          /* type server_name */
	body[n++] = 0, body[n++] = (uint8_t)(5 + sl);
	body[n++] = 0, body[n++] = (uint8_t)(3 + sl);          /* server name list */
	body[n++] = 0;                                         /* host_name */
	body[n++] = 0, body[n++] = (uint8_t)sl;
	memcpy(body + n, sni, sl);
	n += sl;
	size_t k = 0;
	b[k++] = 0x16, b[k++] = 3, b[k++] = 1;                 /* handshake record, TLS 1.0 */
	b[k++] = (uint8_t)((n + 4) >> 8), b[k++] = (uint8_t)(n + 4);
	b[k++] = 1, b[k++] = 0, b[k++] = (uint8_t)(n >> 8), b[k++] = (uint8_t)n;
	memcpy(b + k, body, n);
	return k + n;
}

/* Feeds one packet to a fresh flow state; returns the result. */
static struct dpi_result one(struct dpi *d, const uint8_t *ip, size_t n, bool *done)
{
	struct dpi_flow *f = dpi_flow_new();
	*done = dpi_feed(d, f, ip, n, 1700000000000000000LL);
	struct dpi_result r = dpi_result(d, f);
	dpi_flow_free(f);
	return r;
}

static void test_dns_tls(struct dpi *d)
{
	TEST("dns query");
	size_t n;
	bool done;
	uint8_t *p = ipv4(17, 40000, 53, dns_query, sizeof dns_query, &n);
	struct dpi_result r = one(d, p, n, &done);
	CHECK(r.app == NDPI_PROTOCOL_DNS || r.master == NDPI_PROTOCOL_DNS);
	CHECK_EQ_U(dpi_app(r.master, r.app, 17), RP_APP_DNS);
	char name[48];
	/* 8.8.4.4 is in nDPI's Google address list: the name says who answers */
	CHECK_STR(dpi_name(d, r.master, r.app, name, sizeof name), "DNS.Google");
	free(p);

	TEST("tls client hello");
	uint8_t ch[300];
	size_t chn = client_hello(ch);
	p = ipv4(6, 40001, 443, ch, chn, &n);
	r = one(d, p, n, &done);
	CHECK_EQ_U(r.master, NDPI_PROTOCOL_TLS);
	CHECK_EQ_U(r.app, NDPI_PROTOCOL_GOOGLE);    /* by the SNI */
	CHECK(!done);                               /* nDPI still wants the certificate */
	CHECK_STR(dpi_name(d, r.master, r.app, name, sizeof name), "TLS.Google");
	CHECK_EQ_U(dpi_app(r.master, r.app, 6), RP_APP_TLS);
	free(p);

	TEST("truncated and garbage packets");
	p = ipv4(6, 40002, 443, ch, chn, &n);
	for (size_t cut = 0; cut < n; cut += 7) {   /* cut short: a captured length below the IP total */
		uint8_t *q = malloc(cut ? cut : 1);
		memcpy(q, p, cut);
		r = one(d, q, cut, &done);
		CHECK(!done);
		free(q);
	}
	free(p);
	r = one(d, (const uint8_t *)"\x45", 1, &done);
	CHECK_EQ_U(r.master | r.app, 0);

	TEST("a UDP packet after a TCP one in one state");  /* LSan: nDPI's TLS buffer freed */
	uint8_t part[16];
	memcpy(part, ch, sizeof part);                     /* a ClientHello cut short: nDPI buffers it */
	size_t n2;
	p = ipv4(6, 40003, 443, part, sizeof part, &n);
	uint8_t *u = ipv4(17, 40000, 53, dns_query, sizeof dns_query, &n2);
	struct dpi_flow *f = dpi_flow_new();
	CHECK(!dpi_feed(d, f, p, n, 1));
	CHECK(!dpi_feed(d, f, u, n2, 2));                  /* refused: not the flow's protocol */
	r = dpi_result(d, f);
	CHECK(r.app != NDPI_PROTOCOL_DNS && r.master != NDPI_PROTOCOL_DNS);
	dpi_flow_free(f);
	free(p);
	free(u);
}

static void test_map_and_risk(void)
{
	TEST("nDPI -> rp_app table");
	CHECK_EQ_U(dpi_app(NDPI_PROTOCOL_TLS, NDPI_PROTOCOL_GOOGLE, 6), RP_APP_TLS);
	CHECK_EQ_U(dpi_app(0, NDPI_PROTOCOL_SMBV1, 6), RP_APP_SMB);
	CHECK_EQ_U(dpi_app(NDPI_PROTOCOL_NETBIOS, NDPI_PROTOCOL_SMBV1, 17), RP_APP_NONE);  /* a mailslot datagram */
	CHECK_EQ_U(dpi_app(0, NDPI_PROTOCOL_BITTORRENT, 17), RP_APP_BT_DHT);
	CHECK_EQ_U(dpi_app(0, NDPI_PROTOCOL_BITTORRENT, 6), RP_APP_NONE);  /* peer wire, not the DHT */
	CHECK_EQ_U(dpi_app(0, NDPI_PROTOCOL_QUIC, 17), RP_APP_NONE);
	CHECK_EQ_U(dpi_app(0, 0, 6), RP_APP_NONE);

	TEST("rp_flow_risk");
	struct rp_flow f = { .risk = 1ull << 6 | 1ull << 63 };
	CHECK(rp_flow_risk(&f, 6));
	CHECK(rp_flow_risk(&f, 63));
	CHECK(!rp_flow_risk(&f, 5));
	CHECK(!rp_flow_risk(&f, 64));
	CHECK_STR(dpi_risk_name(6), "Self-signed Certificate");
	CHECK(dpi_risk_name(0) == NULL);
	CHECK(dpi_risk_name(64) == NULL);
}

static size_t live(const struct rp_col *c)
{
	return dw_stats(c->dw).live;
}

/* The collector's side: state made on the first payload packet, freed when detection ends. */
static void test_collector(void)
{
	TEST("collector frees the state at once");
	struct rp_col *c = rp_col_new();
	CHECK(rp_col_dpi(c, false));
	size_t n;
	uint8_t *p = ipv4(17, 40000, 53, dns_query, sizeof dns_query, &n);
	struct rp_flow rf = { .proto = 17 };
	struct pkt k = { .ts_ns = 1, .payload_len = sizeof dns_query, .ip = p, .ip_caplen = (uint32_t)n };
	struct pkt syn = k;
	syn.payload_len = 0;
	rp_dpi_packet(c, &rf, &syn, 7);             /* no payload: nothing made */
	CHECK_EQ_U(live(c), 0);
	rp_dpi_packet(c, &rf, &k, 7);
	/* a query alone: nDPI waits for the answer, the state lives on */
	CHECK_EQ_U(live(c), rf.dpi == 1 ? 1 : 0);
	for (int i = 0; i < 30; i++)
		rp_dpi_packet(c, &rf, &k, 7);
	CHECK_EQ_U(live(c), 0);                     /* past the packet caps at the latest */
	CHECK(rf.ndpi_app == NDPI_PROTOCOL_DNS || rf.ndpi_master == NDPI_PROTOCOL_DNS);
	CHECK(rf.dpi_pkts <= DPI_MAX_PKTS);
	rp_dpi_flow_end(c, &rf, 7);                 /* nothing left to free */
	CHECK_EQ_U(live(c), 0);

	TEST("collector: flow ends mid-detection");
	struct rp_flow rf2 = { .proto = 17 };
	rp_dpi_packet(c, &rf2, &k, 8);
	rp_dpi_flow_end(c, &rf2, 8);
	CHECK_EQ_U(live(c), 0);
	CHECK(rf2.ndpi_app == NDPI_PROTOCOL_DNS || rf2.ndpi_master == NDPI_PROTOCOL_DNS);

	TEST("collector: at most RP_DPI_LIVE states alive");
	size_t nf = RP_DPI_LIVE + 100;
	struct rp_flow *many = calloc(nf, sizeof *many);
	for (size_t i = 0; i < nf; i++)  /* a query each: every state waits for its answer */
		rp_dpi_packet(c, &many[i], &k, (uint32_t)(100 + i));
	CHECK_EQ_U(live(c), RP_DPI_LIVE);
	CHECK_EQ_U(dw_stats(c->dw).refused, 100);
	CHECK_EQ_U(many[nf - 1].dpi, 3);            /* refused: no nDPI name, the report goes on */
	for (size_t i = 0; i < nf; i++)
		rp_dpi_flow_end(c, &many[i], (uint32_t)(100 + i));
	CHECK_EQ_U(live(c), 0);
	CHECK(many[0].ndpi_app == NDPI_PROTOCOL_DNS || many[0].ndpi_master == NDPI_PROTOCOL_DNS);
	free(many);
	rp_dpi_join(c);
	CHECK_EQ_U(c->dpi_refused, 100);

	TEST("collector: a state left at free time");
	struct rp_flow rf3 = { .proto = 17 };
	rp_dpi_packet(c, &rf3, &k, 9);              /* freed by rp_col_free (ASan/LSan watch) */
	free(p);
	rp_col_free(c);
}

/*
 * Feeds nf flows of one endpoint to a collector (threaded or not): flow i
 * gets i % 5 + 1 copies of a DNS query or, for odd i, of random bytes on
 * one port nDPI cannot name; every third flow ends before its packets run
 * out.  The endpoint verdicts settle along the way, so the results depend
 * on the order the worker takes the messages in, and nothing else.
 */
static struct rp_col *feed_flows(bool thread, size_t nf)
{
	struct rp_col *c = rp_col_new();
	rp_col_dpi(c, thread);
	c->flows = calloc(nf, sizeof *c->flows);
	c->nflows = c->cap = nf;
	uint8_t junk[300];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 7919u >> 3);
	size_t n1, n2;
	uint8_t *q = ipv4(17, 40000, 53, dns_query, sizeof dns_query, &n1);
	uint8_t *r = ipv4(17, 40001, 7777, junk, sizeof junk, &n2);
	for (size_t i = 0; i < nf; i++) {
		struct rp_flow *rf = &c->flows[i];
		bool odd = i & 1;
		*rf = (struct rp_flow){ .proto = 17, .h = { 1, odd ? 3 : 2 }, .dport = odd ? 7777 : 53 };
		struct pkt k = { .ts_ns = (int64_t)i * 1000, .payload_len = 10, .ip = odd ? r : q,
				 .ip_caplen = (uint32_t)(odd ? n2 : n1) };
		for (size_t j = 0; j <= i % 5; j++)
			rp_dpi_packet(c, rf, &k, (uint32_t)i);
		if (i % 3 == 0)
			rp_dpi_flow_end(c, rf, (uint32_t)i);
	}
	for (size_t i = 0; i < nf; i++)
		if (i % 3)
			rp_dpi_flow_end(c, &c->flows[i], (uint32_t)i);
	rp_dpi_join(c);
	free(q);
	free(r);
	return c;
}

/* nDPI on its own thread gives every flow the verdict it gets in the collector's thread. */
static void test_thread(void)
{
	TEST("nDPI on its own thread: the same verdicts");
	size_t nf = 20000;
	struct rp_col *a = feed_flows(false, nf), *b = feed_flows(true, nf);
	CHECK(a->dpi != NULL && b->dpi != NULL);
	CHECK(b->dt == NULL);                       /* joined */
	size_t diff = 0, named = 0, dissected = 0;
	for (size_t i = 0; i < nf; i++) {
		const struct rp_flow *x = &a->flows[i], *y = &b->flows[i];
		diff += x->dpi != y->dpi || x->ndpi_master != y->ndpi_master || x->ndpi_app != y->ndpi_app ||
			x->risk != y->risk || x->dpi_pkts != y->dpi_pkts;
		named += x->ndpi_master == NDPI_PROTOCOL_DNS || x->ndpi_app == NDPI_PROTOCOL_DNS;
		dissected += x->dpi_pkts > 0;
	}
	CHECK_EQ_U(diff, 0);
	CHECK(named >= nf / 2 - 2);                 /* every DNS flow, inherited or dissected */
	CHECK(dissected > 0 && dissected < 10);     /* the endpoints settled at once */
	CHECK_EQ_U(a->dpi_inherited, b->dpi_inherited);
	CHECK(b->dpi_inherited > nf - 20);
	rp_col_free(a);
	rp_col_free(b);
}

/* rp_dpi_apply: botlens's parsers first; rp_dpi_host: names and risks counted per host. */
static void test_apply_and_host(void)
{
	TEST("nDPI fills only the flows left other");
	struct rp_col *c = rp_col_new();
	CHECK(rp_col_dpi(c, false));
	struct rp_flow fl[4] = {
		{ .proto = 6, .app = RP_APP_NONE, .ndpi_master = NDPI_PROTOCOL_TLS, .ndpi_app = NDPI_PROTOCOL_GOOGLE,
		  .risk = 1ull << 24 },
		{ .proto = 17, .app = RP_APP_DNS, .ndpi_master = 0, .ndpi_app = NDPI_PROTOCOL_HTTP },
		{ .proto = 17, .app = RP_APP_NONE, .ndpi_app = NDPI_PROTOCOL_QUIC, .risk = 1ull << 24 | 1ull << 5 },
		{ .proto = 6, .app = RP_APP_NONE, .ndpi_master = NDPI_PROTOCOL_TLS, .ndpi_app = NDPI_PROTOCOL_GOOGLE },
	};
	c->flows = fl;
	c->nflows = 4;
	rp_dpi_apply(c);
	CHECK_EQ_U(fl[0].app, RP_APP_TLS);
	CHECK_EQ_U(fl[1].app, RP_APP_DNS);          /* the parser's word stands */
	CHECK_EQ_U(fl[2].app, RP_APP_NONE);         /* no botlens counterpart */

	TEST("services and risks per host");
	const struct rp_flow *pf[4] = { &fl[0], &fl[1], &fl[2], &fl[3] };
	struct rp_ctx x = { .col = c, .fl = pf, .nfl = 4 };
	static struct rp_host h;
	rp_dpi_host(&x, &h);
	CHECK_EQ_U(h.nservices, 3);
	CHECK_STR(h.services[0].name, "TLS.Google");
	CHECK_EQ_U(h.services[0].flows, 2);
	CHECK_STR(h.services[1].name, "HTTP");      /* ties: by name */
	CHECK_STR(h.services[2].name, "QUIC");
	CHECK_EQ_U(h.nrisks, 2);
	CHECK_STR(h.risks[0].name, "Missing SNI TLS Extension");
	CHECK_EQ_U(h.risks[0].flows, 2);
	CHECK_STR(h.risks[1].name, "Known Protocol on Non Standard Port");
	c->flows = NULL;
	c->nflows = 0;
	rp_col_free(c);
}

int main(void)
{
	struct dpi *d = dpi_new();
	CHECK(d != NULL);
	if (d)
		test_dns_tls(d);
	dpi_free(d);
	test_map_and_risk();
	test_collector();
	test_thread();
	test_apply_and_host();
	return harness_report("dpi");
}
