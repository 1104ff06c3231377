/*
 * decode.c - the decode entry point, the IP-protocol dispatch table and
 * address helpers.  Dispatch is by table (after Suricata's
 * DecodeNetworkLayer); each protocol lives in its own file.
 */
#include "decode/decode-int.h"
#include "util/digits.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const anomaly_names[] = {
#define X(e, s) s,
	DECODE_ANOMALIES(X)
#undef X
};

const char *decode_anomaly_name(enum decode_anomaly a)
{
	return (unsigned)a < ANOM_COUNT ? anomaly_names[a] : "decode.unknown";
}

static const struct {
	uint8_t proto;
	const char *name;
} proto_names[] = {
	{ 1, "icmp" }, { 2, "igmp" }, { 4, "ipip" }, { 6, "tcp" }, { 17, "udp" },
	{ 41, "ipv6" }, { 47, "gre" }, { 50, "esp" }, { 51, "ah" }, { 58, "icmpv6" },
	{ 89, "ospf" }, { 103, "pim" }, { 112, "vrrp" }, { 132, "sctp" },
};

const char *decode_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof proto_names / sizeof *proto_names; i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	return NULL;
}

void decoder_init(struct decoder *d)
{
	memset(d, 0, sizeof *d);
	d->frag_seed = 0x9e3779b97f4a7c15ull;
}

void decoder_free(struct decoder *d)
{
	free(d->frags);
	d->frags = NULL;
}

bool decode_packet(struct decoder *d, const struct cap_rec *rec, struct pkt *p)
{
	static const struct pkt zero;
	*p = zero;  /* a copy, not memset: gcc makes that `rep stos`, slow to start per packet */
	p->ts_ns = rec->ts_ns;
	p->caplen = rec->caplen;
	p->wirelen = rec->wirelen;
	d->stats.packets++;
	if (rec->caplen < rec->wirelen)
		d->stats.snap_truncated++;
	struct rd r;
	rd_init(&r, rec->data, rec->caplen);
	decode_link(d, p, rec->linktype, &r);
	if (!p->family) {
		d->stats.non_ip++;
		return false;
	}
	return true;
}

void decode_ip(struct decoder *d, struct pkt *p, struct rd *r)
{
	uint8_t b;
	if (!rd_peek_u8(r, 0, &b)) {
		anomaly(d, ANOM_IPV4_TRUNCATED);
		return;
	}
	if (b >> 4 == 4)
		decode_ipv4(d, p, r);
	else if (b >> 4 == 6)
		decode_ipv6(d, p, r);
	else
		anomaly(d, ANOM_RAW_BAD_VERSION);
}

void decode_set_payload(struct pkt *p, struct rd *r, uint32_t wire_left)
{
	p->payload = r->p;
	p->payload_len = wire_left;
	p->payload_caplen = (uint32_t)(r->left < wire_left ? r->left : wire_left);
}

/*
 * IP protocol dispatch.  Tunnel protocols re-enter the IP decoder, which
 * overwrites the addresses: the innermost packet is the one reported.
 */
void decode_ipproto(struct decoder *d, struct pkt *p, uint8_t proto, struct rd *r)
{
	p->proto = proto;
	switch (proto) {
	case 6: d->stats.tcp++; decode_tcp(d, p, r); return;
	case 17: d->stats.udp++; decode_udp(d, p, r); return;
	case 1: d->stats.icmp++; decode_icmp(d, p, r); return;
	case 58: d->stats.icmpv6++; decode_icmpv6(d, p, r); return;
	case 4:
	case 41:
		if (p->frag != FRAG_NONE)
			break;
		p->tunnels++;
		d->stats.tunneled++;
		if (proto == 4)
			decode_ipv4(d, p, r);
		else
			decode_ipv6(d, p, r);
		return;
	case 47:
		if (p->frag != FRAG_NONE)
			break;
		decode_gre(d, p, r);
		return;
	}
	d->stats.other_l4++;
	decode_set_payload(p, r, p->l4_wire);
}

void decode_addr_str(uint8_t family, const uint8_t *a, char *buf, size_t len)
{
	if (family == 4 && len >= 16) {  /* the common case, without inet_ntop's printf */
		char *p = buf;
		for (int i = 0; i < 4; i++) {
			p = put_u999(p, a[i]);
			*p++ = i < 3 ? '.' : 0;
		}
		return;
	}
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

bool decode_addr_parse(const char *s, uint8_t *family, uint8_t *a)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1) {
		*family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		*family = 6;
		return true;
	}
	return false;
}

bool decode_addr_internal(uint8_t family, const uint8_t *a)
{
	if (family == 4)
		return a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
		       (a[0] == 100 && (a[1] & 0xc0) == 64);
	static const uint8_t loop6[16] = { [15] = 1 };
	return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	       memcmp(a, loop6, 16) == 0;
}

bool decode_addr_host(uint8_t family, const uint8_t *a)
{
	static const uint8_t zero[16];
	if (family == 4)
		return a[0] != 0 && a[0] < 224 && !(a[0] == 169 && a[1] == 254);
	if (family == 6)
		return a[0] != 0xff && !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80) && memcmp(a, zero, 16) != 0;
	return false;
}

void decode_tcp_flags_str(uint8_t f, char *buf, size_t len)
{
	static const struct {
		uint8_t bit;
		char c;
	} tok[] = { { 0x02, 'S' }, { 0x01, 'F' }, { 0x08, 'P' }, { 0x04, 'R' },
		    { 0x20, 'U' }, { 0x40, 'E' }, { 0x80, 'W' }, { 0x10, '.' } };
	size_t n = 0;
	if (len == 0)
		return;
	for (size_t i = 0; i < sizeof tok / sizeof *tok && n + 1 < len; i++)
		if (f & tok[i].bit)
			buf[n++] = tok[i].c;
	if (n == 0 && len > 4)
		n = (size_t)snprintf(buf, len, "none");
	buf[n < len ? n : len - 1] = 0;
}
