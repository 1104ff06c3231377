/*
 * proto_dns.c - DNS over UDP/TCP port 53 (RFC 1035): query names as
 * evidence, A/AAAA answers as passive DNS, tunnel-like queries flagged.
 *
 *    0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 *   |                      ID                       |
 *   |QR|  Opcode   |AA|TC|RD|RA|   Z    |   RCODE   |
 *   |    QDCOUNT    |    ANCOUNT    |  NSCOUNT | ARCOUNT |
 *   question: QNAME (labels) QTYPE(2) QCLASS(2)
 *   answer:   NAME TYPE(2) CLASS(2) TTL(4) RDLENGTH(2) RDATA
 *
 * Names may be compressed (RFC 1035 4.1.4): pointers are followed at
 * most 16 times and only backwards, so a loop cannot spin.
 *
 * Data in names.  A label looks like encoded data when it is >= 40
 * characters, or >= 16 hex digits with digits and letters, or >= 20
 * characters with >= 4 digits and >= 14 distinct ones (base32/base64).
 * A query is data-like when such labels hold >= 40 characters in all
 * (a single MD5-sized hash or GUID under a domain is a lookup key, not a
 * channel), or the name ends in such a label (no domain), or a
 * label of >= 20 characters asks for a record type that carries data
 * (NULL, TXT, private 65399): RPF_DNS_TUNNEL, and the
 * domain it is under (the labels after the last data label, or before
 * the first when the name ends in data) as EV_DNS_DOMAIN.  A query for a
 * single label (no dot) to a unicast server on port 53 is no domain a
 * resolver can answer: RPF2_DNS_BADNAME; it looks like data when it asks
 * for TXT/NULL/ANY/private (as a JNDI DNS lookup does) or is >= 16
 * characters mixing letters and digits, unless it is a name hosts ask by
 * themselves (localhost, wpad, isatap); a short host name asked for A or
 * AAAA (a resolver without a search list) is not data.
 * Multicast DNS and LLMNR (224.0.0.251, ff02::fb, port 5353/5355) are
 * LAN chatter, never counted here.
 *
 * NXDOMAIN answers: the query name (lower case) as EV_DNS_NX under the
 * client, and RPF2_DNS_NXRAND on the flow when the name's registered
 * domain (rp_dns_regdom) has a machine-made label (rp_dns_label_random):
 * the facts of beh_dga.c.
 *
 * Per (client, server) the collector keeps the queries, the data-like and
 * one-label ones and their bytes (bounded: RP_DNS_PEERS pairs).  After
 * the pass rp_dns_finish() takes as a client's resolver the server most
 * of its queries for domain names (not one label) went to; DNS flows to
 * any other server are direct (RPF2_DNS_DIRECT).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/report-int.h"
#include "util/rd.h"

#define DNS_NAME_MAX 256

/*
 * Reads a (possibly compressed) name at r into out (dotted, NUL-ended);
 * msg/mlen is the whole message for pointers.  Sets *maxlab to the
 * longest label.  False when truncated or invalid.
 */
static bool dns_name(struct rd *r, const uint8_t *msg, size_t mlen, char *out, size_t *maxlab)
{
	size_t o = 0;
	int jumps = 0;
	struct rd cur = *r;
	bool jumped = false;
	*maxlab = 0;
	out[0] = 0;
	for (;;) {
		uint8_t len;
		if (!rd_u8(&cur, &len))
			return false;
		if (len == 0)
			break;
		if ((len & 0xC0) == 0xC0) {
			uint8_t lo;
			if (!rd_u8(&cur, &lo) || ++jumps > 16)
				return false;
			size_t off = (size_t)(len & 0x3F) << 8 | lo;
			if (off >= mlen || (size_t)(cur.p - msg) - 2 <= off)
				return false;
			if (!jumped)
				*r = cur;
			jumped = true;
			rd_init(&cur, msg + off, mlen - off);
			continue;
		}
		if (len > 63)
			return false;
		const uint8_t *lab;
		if (!rd_bytes(&cur, len, &lab))
			return false;
		if (len > *maxlab)
			*maxlab = len;
		if (o + len + 2 < DNS_NAME_MAX) {
			if (o)
				out[o++] = '.';
			for (size_t i = 0; i < len; i++)
				out[o++] = (lab[i] > 0x20 && lab[i] < 0x7f) ? (char)lab[i] : '?';
			out[o] = 0;
		}
	}
	if (!jumped)
		*r = cur;
	return true;
}

/* The last two labels of a name ("a.b.example.com" -> "example.com"). */
static const char *dns_domain(const char *name)
{
	const char *last = NULL, *prev = NULL;
	for (const char *p = name; *p; p++)
		if (*p == '.') {
			prev = last;
			last = p;
		}
	return prev ? prev + 1 : name;
}

/*
 * Registered domains, approximated without the Public Suffix List: the last
 * two labels, or three when the second-level label is one of the short
 * generic second levels countries use (co, com, net, org, ac, gov, edu)
 * under a two-letter country code ("example.co.uk", "example.com.au").
 * Private suffixes (dynamic DNS, hosting platforms) count as registered
 * domains here: their customers' names are one level down.
 */
const char *rp_dns_regdom(const char *name)
{
	static const char *const sld[] = { "co", "com", "net", "org", "ac", "gov", "edu" };
	const char *dot[3] = { NULL, NULL, NULL };  /* the last three dots, last first */
	for (const char *p = name; *p; p++)
		if (*p == '.') {
			dot[2] = dot[1];
			dot[1] = dot[0];
			dot[0] = p;
		}
	if (!dot[1])
		return name;
	if (strlen(dot[0] + 1) == 2)
		for (size_t i = 0; i < sizeof sld / sizeof *sld; i++) {
			size_t n = strlen(sld[i]);
			if ((size_t)(dot[0] - dot[1] - 1) == n && !strncasecmp(dot[1] + 1, sld[i], n))
				return dot[2] ? dot[2] + 1 : name;
		}
	return dot[1] + 1;
}

/*
 * A label looks machine-made when it has >= 8 characters, a character
 * entropy >= 2.5 bits (not a repeated pattern) and is unpronounceable:
 * under a fifth vowels (a e i o u y) among >= 6 letters, or a run of >= 5
 * consonants, or letters and digits switching >= 3 times ("a8f3kd92").
 * Names people choose are words, brands and abbreviations of a few
 * letters; domain generation algorithms draw characters.
 */
bool rp_dns_label_random(const char *l, size_t n, struct rp_label *m)
{
	unsigned cnt[256] = { 0 }, letters = 0, run = 0;
	int prev = -1;   /* 0 letter, 1 digit */
	memset(m, 0, sizeof *m);
	m->len = (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)l[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch + 32);
		cnt[ch]++;
		bool letter = ch >= 'a' && ch <= 'z', digit = ch >= '0' && ch <= '9';
		bool vowel = letter && strchr("aeiouy", ch);
		letters += letter;
		m->vowels += vowel;
		m->digits += digit;
		run = letter && !vowel ? run + 1 : 0;
		if (run > m->run)
			m->run = run;
		if (letter || digit) {
			if (prev >= 0 && prev != digit)
				m->switches++;
			prev = digit;
		}
	}
	for (unsigned i = 0; i < 256; i++)
		if (cnt[i]) {
			double p = (double)cnt[i] / (double)n;
			m->entropy -= p * log2(p);
		}
	if (n < 8 || m->entropy < 2.5)
		return false;
	return (letters >= 6 && m->vowels * 5 < letters) || m->run >= 5 || (m->digits && m->switches >= 3);
}

const char *rp_dns_judged_label(const char *name, size_t *n)
{
	size_t len = strlen(name);
	if (!strchr(name, '.') || (len > 5 && !strcasecmp(name + len - 5, ".arpa")) ||
	    (len > 6 && !strcasecmp(name + len - 6, ".local")) || (len > 4 && !strcasecmp(name + len - 4, ".lan")) ||
	    (len > 9 && !strcasecmp(name + len - 9, ".internal")) || (len > 5 && !strcasecmp(name + len - 5, ".home")))
		return NULL;
	const char *d = rp_dns_regdom(name), *e = strchr(d, '.');
	if (!e || !strncasecmp(d, "xn--", 4))   /* punycode: an IDN's letters are not ASCII's */
		return NULL;
	*n = (size_t)(e - d);
	return d;
}

bool rp_dns_name_random(const char *name, struct rp_label *m)
{
	size_t n;
	const char *d = rp_dns_judged_label(name, &n);
	return d && rp_dns_label_random(d, n, m);
}

unsigned rp_dns_name_words(const char *name, size_t *len)
{
	size_t n;
	const char *d = rp_dns_judged_label(name, &n);
	if (!d)
		return 0;
	*len = n;
	return rp_words_split(d, n, RP_WORDS_MAX);
}

static bool is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* True when the label l (n characters) looks like encoded data. */
static bool label_data(const char *l, size_t n)
{
	if (n >= 40)
		return true;
	if (n < 16)
		return false;
	size_t digits = 0, letters = 0, hex = 0, distinct = 0;
	bool seen[128] = { false };
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)l[i];
		digits += ch >= '0' && ch <= '9';
		letters += (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
		hex += is_hex((char)ch);
		if (ch < 128 && !seen[ch]) {
			seen[ch] = true;
			distinct++;
		}
	}
	if (hex == n && digits >= 4 && letters >= 2)
		return true;
	return n >= 20 && digits >= 4 && distinct >= 14;
}

/*
 * Scans the labels of a dotted name: whether it carries data (its
 * data-like labels hold 40 characters or more - a lone 32-digit hash or
 * GUID under a domain, as reputation and telemetry lookups use, does
 * not - or the name ends in data, so it is under no domain at all), and
 * the domain the data is under (into dom): the labels after the last
 * data label, cut to the last two, or when the name ends in data the
 * labels before the first.  Returns the number of labels.
 */
static unsigned name_labels(const char *name, bool *data, char *dom, size_t domlen)
{
	size_t n = strlen(name), first = n, after = 0, chars = 0;
	unsigned labels = 0;
	*data = false;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && name[j] != '.')
			j++;
		labels++;
		if (label_data(name + i, j - i)) {
			if (!chars)
				first = i;
			chars += j - i;
			after = j < n ? j + 1 : n;
		}
		i = j + 1;
	}
	*data = chars >= 40 || (chars && after == n);  /* much data, or data where the domain should be */
	dom[0] = 0;
	if (*data && after < n)
		snprintf(dom, domlen, "%s", dns_domain(name + after));
	else if (*data && first > 0)
		snprintf(dom, domlen, "%.*s", (int)(first - 1), name);
	return labels;
}

static bool addr_multicast(uint8_t family, const uint8_t *a)
{
	return family == 4 ? (a[0] & 0xf0) == 0xe0 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
			   : a[0] == 0xff;
}

/* Multicast DNS (port 5353, or any query to a multicast address): LAN chatter, not lookups. */
static bool lan_chatter(const struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->dport == 5353 || rf->sport == 5353)
		return true;
	const struct flow *f = s->f;
	return f && addr_multicast(f->family, s->dir ? f->orig : f->resp);
}

static bool name_common_single(const char *name)
{
	static const char *const names[] = { "localhost", "wpad", "isatap", "local", "workgroup" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcasecmp(name, names[i]))
			return true;
	return false;
}

/* A one-label name that looks like data rather than a host's short name. */
static bool single_data(const char *name, uint16_t qtype)
{
	size_t n = strlen(name), digits = 0, letters = 0;
	if (name_common_single(name))
		return false;
	for (size_t i = 0; i < n; i++) {
		digits += name[i] >= '0' && name[i] <= '9';
		letters += (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z');
	}
	/* a secret or an encoded value, not a short host name ("printer1" asked for A) */
	return (n >= 16 && digits && letters) || qtype == 16 || qtype == 10 || qtype == 255 || qtype == 65399;
}

static uint32_t peer_bucket(uint32_t client, uint32_t server)
{
	return ((client * 2654435761u) ^ (server * 40503u)) >> 9 & (RP_DNS_HASH - 1);
}

/* The pair (client, server) for questions the client's machine `who` asked (rp_ident_key). */
static struct rp_dns_peer *peer_get(struct rp_col *c, uint32_t client, uint8_t who, uint32_t server)
{
	uint32_t b = peer_bucket(client, server);
	for (uint32_t i = c->dns_hash[b]; i; i = c->dns[i - 1].next)
		if (c->dns[i - 1].client == client && c->dns[i - 1].server == server && c->dns[i - 1].who == who)
			return &c->dns[i - 1];
	if (c->ndns >= RP_DNS_PEERS)
		return NULL;
	if (c->ndns == c->capdns) {
		size_t nc = c->capdns ? 2 * c->capdns : 64;
		struct rp_dns_peer *n = realloc(c->dns, nc * sizeof *n);
		if (!n) {
			c->oom = true;
			return NULL;
		}
		c->dns = n;
		c->capdns = nc;
	}
	struct rp_dns_peer *e = &c->dns[c->ndns++];
	memset(e, 0, sizeof *e);
	e->client = client;
	e->server = server;
	e->who = who;
	e->next = c->dns_hash[b];
	c->dns_hash[b] = (uint32_t)c->ndns;
	return e;
}

/* Accounts one question of rf (sent in direction dir) to its (client, server) pair. */
static void peer_query(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s, const char *qname,
		       uint16_t qtype, bool data)
{
	const struct flow *f = s->f;
	const uint8_t *srv = f ? (s->dir ? f->orig : f->resp) : NULL;
	bool single = qname[0] && !strchr(qname, '.') && (rf->dport == 53 || rf->sport == 53);
	bool baddata = single && single_data(qname, qtype);
	if (single)
		rf->facts2 |= RPF2_DNS_BADNAME;
	struct rp_dns_peer *e = peer_get(c, rf->h[s->dir], rp_ident_key(c, rf->h[s->dir]), rf->h[!s->dir]);
	if (!e)
		return;
	if (srv && !e->family) {
		e->family = f->family;
		memcpy(e->addr, srv, 16);
	}
	e->queries++;
	e->badname += single;
	e->baddata += baddata;
	if (data) {
		e->data++;
		e->data_bytes += strlen(qname);
	}
	if (data || baddata) {
		if (!e->sample[0]) {
			size_t n = strnlen(qname, sizeof e->sample - 1);   /* truncation intended */
			memcpy(e->sample, qname, n);
			e->sample[n] = '\0';
			e->sample_type = qtype;
			e->t0 = s->t;
		}
		e->t1 = s->t;
	}
}

/* Adds pair o's counts to e (one client machine's pairs of one server). */
static void peer_merge(struct rp_dns_peer *e, const struct rp_dns_peer *o)
{
	e->queries += o->queries;
	e->data += o->data;
	e->badname += o->badname;
	e->baddata += o->baddata;
	e->data_bytes += o->data_bytes;
	if (!e->family) {
		e->family = o->family;
		memcpy(e->addr, o->addr, 16);
	}
	if (o->sample[0] && (!e->sample[0] || o->t0 < e->t0)) {
		memcpy(e->sample, o->sample, sizeof e->sample);
		e->sample_type = o->sample_type;
		e->t0 = o->t0;
	}
	if (o->sample[0] && o->t1 > e->t1)
		e->t1 = o->t1;
}

void rp_dns_regroup(struct rp_col *c)
{
	memset(c->dns_hash, 0, sizeof c->dns_hash);
	size_t n = 0;
	for (size_t i = 0; i < c->ndns; i++) {   /* in place, first seen first */
		struct rp_dns_peer e = c->dns[i];
		e.client = rp_ident_owner(c, e.client, e.who);
		e.who = 0;
		uint32_t b = peer_bucket(e.client, e.server), k = c->dns_hash[b];
		while (k && (c->dns[k - 1].client != e.client || c->dns[k - 1].server != e.server))
			k = c->dns[k - 1].next;
		if (k) {
			peer_merge(&c->dns[k - 1], &e);
			continue;
		}
		e.next = c->dns_hash[b];
		c->dns[n++] = e;
		c->dns_hash[b] = (uint32_t)n;
	}
	c->ndns = n;
}

static int peer_by_client(const void *a, const void *b)
{
	const struct rp_dns_peer *x = *(const struct rp_dns_peer *const *)a;
	const struct rp_dns_peer *y = *(const struct rp_dns_peer *const *)b;
	if (x->client != y->client)
		return x->client < y->client ? -1 : 1;
	uint32_t dx = x->queries - x->badname, dy = y->queries - y->badname;
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return x < y ? -1 : x > y;  /* first seen first */
}

static bool peer_direct(const struct rp_col *c, uint32_t client, uint32_t server)
{
	uint32_t b = peer_bucket(client, server);
	for (uint32_t i = c->dns_hash[b]; i; i = c->dns[i - 1].next)
		if (c->dns[i - 1].client == client && c->dns[i - 1].server == server)
			return !c->dns[i - 1].resolver;
	return false;
}

bool rp_dns_resolvers(struct rp_col *c)
{
	const struct rp_dns_peer **v = malloc((c->ndns ? c->ndns : 1) * sizeof *v);
	if (!v) {
		c->oom = true;
		return false;
	}
	for (size_t i = 0; i < c->ndns; i++) {
		c->dns[i].resolver = false;
		v[i] = &c->dns[i];
	}
	qsort(v, c->ndns, sizeof *v, peer_by_client);
	for (size_t i = 0; i < c->ndns; i++)
		if ((i == 0 || v[i]->client != v[i - 1]->client) && v[i]->queries > v[i]->badname)
			((struct rp_dns_peer *)v[i])->resolver = true;
	free(v);
	return true;
}

void rp_dns_flow_finish(const struct rp_col *c, struct rp_flow *f)
{
	if (f->app != RP_APP_DNS || !f->count)
		return;
	int cl = f->sport == 53 && f->dport != 53 ? 1 : 0;  /* the client's side */
	/* the server as an address: the pairs were counted per server address (peer_query) */
	if (peer_direct(c, f->h[cl], rp_ident_address(c, f->h[!cl])))
		f->facts2 |= RPF2_DNS_DIRECT;
}

void rp_dns_finish(struct rp_col *c)
{
	if (!rp_dns_resolvers(c))
		return;
	for (size_t i = 0; i < c->nflows; i++)
		rp_dns_flow_finish(c, &c->flows[i]);
}

static void dns_answers(struct rp_col *c, struct rd *r, const uint8_t *msg, size_t mlen,
			unsigned an, const char *qname)
{
	char name[DNS_NAME_MAX];
	size_t ml;
	for (unsigned i = 0; i < an && i < 32; i++) {
		uint16_t type, cls, rdlen;
		uint32_t ttl;
		const uint8_t *rdata;
		if (!dns_name(r, msg, mlen, name, &ml) || !rd_be16(r, &type) || !rd_be16(r, &cls) ||
		    !rd_be32(r, &ttl) || !rd_be16(r, &rdlen) || !rd_bytes(r, rdlen, &rdata))
			return;
		uint8_t a[16] = { 0 };
		if (type == 1 && rdlen == 4) {
			memcpy(a, rdata, 4);
			rp_pdns_add(c, 4, a, qname);
		} else if (type == 28 && rdlen == 16) {
			memcpy(a, rdata, 16);
			rp_pdns_add(c, 6, a, qname);
		}
	}
}

static bool dns_inspect(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s)
{
	if (rf->sport != 53 && rf->dport != 53 && rf->dport != 5353)
		return false;
	struct rd r;
	rd_init(&r, s->p, s->n);
	if (rf->proto == 6 && !rd_skip(&r, 2))  /* TCP: 2-byte length prefix */
		return false;
	const uint8_t *msg = r.p;
	size_t mlen = r.left;
	uint16_t id, fl, qd, an, ns, ar;
	if (!rd_be16(&r, &id) || !rd_be16(&r, &fl) || !rd_be16(&r, &qd) || !rd_be16(&r, &an) ||
	    !rd_be16(&r, &ns) || !rd_be16(&r, &ar) || qd == 0 || qd > 4 || ((fl >> 11) & 0xF) > 5)
		return false;
	char qname[DNS_NAME_MAX];
	size_t maxlab;
	uint16_t qtype, qclass;
	if (!dns_name(&r, msg, mlen, qname, &maxlab) || !rd_be16(&r, &qtype) || !rd_be16(&r, &qclass))
		return false;
	bool response = fl & 0x8000;
	if (!response) {
		rf->count++;
		rp_ev_add(c, rf->h[s->dir], EV_DNS_QNAME, (const uint8_t *)qname, strlen(qname));
		if (lan_chatter(rf, s))
			return true;
		/* iodine, dnscat and friends: long encoded labels, NULL/TXT/PRIVATE record types */
		char dom[DNS_NAME_MAX];
		bool data;
		name_labels(qname, &data, dom, sizeof dom);
		if (!data && maxlab >= 20 && (qtype == 10 || qtype == 16 || qtype == 65399)) {
			data = true;
			snprintf(dom, sizeof dom, "%s", dns_domain(qname));
		}
		if (data) {
			rf->facts |= RPF_DNS_TUNNEL;
			if (rf->count2 < UINT16_MAX)
				rf->count2++;
			if (dom[0])
				rp_ev_add(c, rf->h[s->dir], EV_DNS_DOMAIN, (const uint8_t *)dom, strlen(dom));
		}
		peer_query(c, rf, s, qname, qtype, data);
	} else {
		rf->facts |= RPF_DNS_ANSWER;
		if ((fl & 0xF) == 3 && !lan_chatter(rf, s)) {   /* NXDOMAIN, under the client */
			char low[DNS_NAME_MAX];
			size_t n = strlen(qname);
			struct rp_label m;
			for (size_t i = 0; i <= n; i++)
				low[i] = (char)(qname[i] >= 'A' && qname[i] <= 'Z' ? qname[i] + 32 : qname[i]);
			rp_ev_add(c, rf->h[!s->dir], EV_DNS_NX, (const uint8_t *)low, n);
			size_t wl;
			if (rp_dns_name_random(low, &m))
				rf->facts2 |= RPF2_DNS_NXRAND;
			else if (rp_dns_name_words(low, &wl) >= 2)
				rf->facts2 |= RPF2_DNS_NXWORDS;
		}
		dns_answers(c, &r, msg, mlen, an, qname);
	}
	return true;
}

const struct rp_proto proto_dns = { .name = "dns", .app = RP_APP_DNS, .max_pkts = 64, .inspect = dns_inspect };
