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
 */
#include <stdio.h>
#include <string.h>

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
		rp_ev_add(c, rf->h[0], EV_DNS_QNAME, (const uint8_t *)qname, strlen(qname));
		/* iodine and friends: long encoded labels, NULL/TXT/CNAME/PRIVATE record types */
		if (maxlab >= 40 || (maxlab >= 20 && (qtype == 10 || qtype == 16 || qtype == 65399))) {
			rf->facts |= RPF_DNS_TUNNEL;
			const char *d = dns_domain(qname);
			rp_ev_add(c, rf->h[0], EV_DNS_DOMAIN, (const uint8_t *)d, strlen(d));
		}
	} else {
		rf->facts |= RPF_DNS_ANSWER;
		dns_answers(c, &r, msg, mlen, an, qname);
	}
	return true;
}

const struct rp_proto proto_dns = { .name = "dns", .app = RP_APP_DNS, .max_pkts = 64, .inspect = dns_inspect };
