/*
 * dpi.c - nDPI (libndpi 4.2) in the report: every flow's application
 * protocol by nDPI's ~280 dissectors and the risks nDPI flags on it.
 *
 * nDPI takes the IP packet whole (struct pkt.ip, the innermost IP header
 * the decoder found, cut to the IP total length):
 *
 *    record: | link | [tunnel ...] | IP header | transport | payload |
 *                                  ^ pkt.ip    <-- pkt.ip_caplen -->
 *
 * Per flow, the collector (dpi_thread.c) sends the packets that carry
 * transport payload to the worker (dpi_work.c), in its thread or on a
 * thread of its own, which feeds nDPI until detection ends and gives back
 * the ids and the risk bitmap for struct rp_flow.  nDPI's TCP tracking
 * starts from the first data segment (its sequence check needs no
 * handshake).
 *
 * botlens's own parsers keep priority: rp_flow.app is theirs, and nDPI's
 * protocol fills it (through app_map below) only for flows they left
 * "other" (rp_dpi_apply, after the Storm key recovery).  Facts nDPI does
 * not extract (Overnet/Storm, Kad, IRC bot commands, the spam envelope)
 * stay with the parsers.  nDPI's own names and risks are reported per
 * host as they are ("services", "risks": rp_dpi_host).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi_api.h>

#include "analysis/dpi.h"
#include "analysis/report-int.h"

struct dpi {
	struct ndpi_detection_module_struct *m;
};

struct dpi *dpi_new(void)
{
	struct dpi *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	/* No Tor host list: it is fetched from nowhere and only names flows to relays. */
	d->m = ndpi_init_detection_module(ndpi_dont_load_tor_hosts);
	if (!d->m) {
		free(d);
		return NULL;
	}
	NDPI_PROTOCOL_BITMASK all;
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(d->m, &all);
	ndpi_finalize_initialization(d->m);
	return d;
}

void dpi_free(struct dpi *d)
{
	if (!d)
		return;
	ndpi_exit_detection_module(d->m);
	free(d);
}

size_t dpi_flow_size(void)
{
	return ndpi_detection_get_sizeof_ndpi_flow_struct();
}

struct dpi_flow *dpi_flow_new(void)
{
	return calloc(1, dpi_flow_size());
}

void dpi_flow_free(struct dpi_flow *f)
{
	if (!f)
		return;
	ndpi_free_flow_data((struct ndpi_flow_struct *)f);
	free(f);
}

static bool detected(const struct ndpi_flow_struct *nf)
{
	return nf->detected_protocol_stack[0] != NDPI_PROTOCOL_UNKNOWN ||
	       nf->detected_protocol_stack[1] != NDPI_PROTOCOL_UNKNOWN;
}

bool dpi_detected(const struct dpi_flow *f)
{
	return detected((const struct ndpi_flow_struct *)f);
}

/*
 * The transport protocol of a whole, unfragmented IP packet whose
 * transport header is all there, as nDPI will take it: IPv4's protocol
 * field; IPv6's next header after the hop-by-hop, routing and
 * destination options headers (at most 8).  0 for anything else: cut
 * short, a length that is not the packet's, a fragment, a TCP or UDP
 * header cut or inconsistent.  nDPI is handed only packets it parses
 * whole: on the others it leaves its per-module packet view (struct
 * ndpi_packet_struct) pointing at an earlier packet's bytes, and its
 * extra dissectors read them (a crash found by fuzz/fuzz_dpi.c).
 */
static uint8_t ip_l4(const uint8_t *ip, size_t n)
{
	size_t off;
	uint8_t nh;
	if (n >= 20 && ip[0] >> 4 == 4) {
		off = (size_t)(ip[0] & 15) * 4;
		if (off < 20 || off > n || ((size_t)ip[2] << 8 | ip[3]) != n || (ip[6] & 0x3f) || ip[7])
			return 0;  /* short, padded or cut, or a fragment (MF or an offset) */
		nh = ip[9];
	} else if (n >= 40 && ip[0] >> 4 == 6) {
		if (((size_t)ip[4] << 8 | ip[5]) + 40 != n)
			return 0;
		nh = ip[6];
		off = 40;
		for (int k = 0; k < 8 && (nh == 0 || nh == 43 || nh == 60); k++) {
			if (n - off < 8 || ((size_t)ip[off + 1] + 1) * 8 > n - off)
				return 0;
			nh = ip[off];
			off += ((size_t)ip[off + 1] + 1) * 8;
		}
		if (nh == 0 || nh == 43 || nh == 44 || nh == 60)
			return 0;  /* a fragment, or too many headers */
	} else {
		return 0;
	}
	if (nh == 6 && (n - off < 20 || (size_t)(ip[off + 12] >> 4) * 4 < 20 ||
			(size_t)(ip[off + 12] >> 4) * 4 > n - off))
		return 0;
	if (nh == 17 && (n - off < 8 || ((size_t)ip[off + 4] << 8 | ip[off + 5]) != n - off))
		return 0;
	return nh ? nh : 255;
}

bool dpi_feed(struct dpi *d, struct dpi_flow *f, const uint8_t *ip, size_t n, int64_t ts_ns)
{
	struct ndpi_flow_struct *nf = (struct ndpi_flow_struct *)f;
	if (!ip || n > 0xffff)
		return false;
	/*
	 * Whole packets only (ip_l4), and one transport protocol per flow
	 * state: nDPI keeps TCP and UDP state in one union and frees the TLS
	 * reassembly buffer only while the flow is TCP (ndpi_free_flow_data,
	 * 4.2), so a UDP packet after a TCP one would leak it (found by
	 * fuzz/fuzz_dpi.c).  botlens's flows never mix them (the flow key
	 * holds the protocol); other callers might.
	 */
	uint8_t l4 = ip_l4(ip, n);
	if (!l4 || (nf->l4_proto && l4 != nf->l4_proto))
		return false;
	uint64_t ms = ts_ns > 0 ? (uint64_t)ts_ns / 1000000u : 0;
	ndpi_detection_process_packet(d->m, nf, ip, (unsigned short)n, ms);
	return detected(nf) && !ndpi_extra_dissection_possible(d->m, nf);
}

struct dpi_result dpi_result(struct dpi *d, struct dpi_flow *f)
{
	struct ndpi_flow_struct *nf = (struct ndpi_flow_struct *)f;
	ndpi_protocol p = { nf->detected_protocol_stack[1], nf->detected_protocol_stack[0],
			    NDPI_PROTOCOL_CATEGORY_UNSPECIFIED };
	if (!detected(nf)) {
		uint8_t guessed = 0;
		p = ndpi_detection_giveup(d->m, nf, 0, &guessed);
		if (guessed)  /* by port or address only: not evidence (never, without enable_guess) */
			p.master_protocol = p.app_protocol = NDPI_PROTOCOL_UNKNOWN;
	}
	return (struct dpi_result){ .master = p.master_protocol, .app = p.app_protocol, .risk = nf->risk };
}

const char *dpi_name(struct dpi *d, uint16_t master, uint16_t app, char *buf, size_t len)
{
	if (!len)
		return buf;
	buf[0] = 0;
	if (!master && !app)
		return buf;
	if (master == app)
		master = NDPI_PROTOCOL_UNKNOWN;
	ndpi_protocol p = { master, app, NDPI_PROTOCOL_CATEGORY_UNSPECIFIED };
	return ndpi_protocol2name(d->m, p, buf, len > 0xffff ? 0xffff : (u_int)len);
}

const char *dpi_risk_name(unsigned n)
{
	return n > NDPI_NO_RISK && n < NDPI_MAX_RISK ? ndpi_risk2str((ndpi_risk_enum)n) : NULL;
}

/*
 * nDPI's protocols that botlens's own parsers also know (enum rp_app).
 * l4: 0 any, else the IP protocol it must be on (BitTorrent over UDP is
 * the DHT botlens parses, over TCP the peer wire protocol; botlens's smb
 * is a TCP session, nDPI also names SMB inside NetBIOS datagrams).
 */
static const struct {
	uint16_t ndpi;
	uint8_t app, l4;
} app_map[] = {
	{ NDPI_PROTOCOL_DNS, RP_APP_DNS, 0 },
	{ NDPI_PROTOCOL_NTP, RP_APP_NTP, 0 },
	{ NDPI_PROTOCOL_MAIL_SMTP, RP_APP_SMTP, 0 },
	{ NDPI_PROTOCOL_HTTP, RP_APP_HTTP, 0 },
	{ NDPI_PROTOCOL_HTTP_CONNECT, RP_APP_HTTP, 0 },
	{ NDPI_PROTOCOL_HTTP_PROXY, RP_APP_HTTP, 0 },
	{ NDPI_PROTOCOL_TLS, RP_APP_TLS, 6 },
	{ NDPI_PROTOCOL_IRC, RP_APP_IRC, 0 },
	{ NDPI_PROTOCOL_FTP_CONTROL, RP_APP_FTP, 0 },
	{ NDPI_PROTOCOL_SMBV1, RP_APP_SMB, 6 },   /* sessions; not mailslot datagrams on UDP 138 */
	{ NDPI_PROTOCOL_SMBV23, RP_APP_SMB, 6 },
	{ NDPI_PROTOCOL_BITTORRENT, RP_APP_BT_DHT, 17 },
	{ NDPI_PROTOCOL_GNUTELLA, RP_APP_GNUTELLA, 0 },
	{ NDPI_PROTOCOL_DCERPC, RP_APP_DCERPC, 0 },
	{ NDPI_PROTOCOL_SSH, RP_APP_SSH, 6 },
};

static unsigned map_one(uint16_t id, uint8_t l4)
{
	for (size_t i = 0; id && i < sizeof app_map / sizeof *app_map; i++)
		if (app_map[i].ndpi == id && (!app_map[i].l4 || app_map[i].l4 == l4))
			return app_map[i].app;
	return RP_APP_NONE;
}

unsigned dpi_app(uint16_t master, uint16_t app, uint8_t l4)
{
	unsigned a = map_one(master, l4);  /* "TLS.Google" is TLS to botlens */
	return a ? a : map_one(app, l4);
}

/* ---- after the pass ---- */

void rp_dpi_apply_flow(struct rp_flow *rf)
{
	if (rf->app == RP_APP_NONE && (rf->ndpi_master || rf->ndpi_app))
		rf->app = (uint8_t)dpi_app(rf->ndpi_master, rf->ndpi_app, rf->proto);
}

void rp_dpi_apply(struct rp_col *c)
{
	for (size_t i = 0; i < c->nflows; i++)
		rp_dpi_apply_flow(&c->flows[i]);
}

bool rp_flow_risk(const struct rp_flow *f, unsigned risk)
{
	return risk < 64 && (f->risk >> risk & 1);
}

static int count_desc(const void *a, const void *b)
{
	const struct rp_count *x = a, *y = b;
	if (x->flows != y->flows)
		return x->flows < y->flows ? 1 : -1;
	return strcmp(x->name, y->name);
}

/*
 * Counts the flows of x's host per nDPI name (master.app) and per risk
 * into h, most flows first; names past RP_MAX_SERVICES distinct ones are
 * dropped (the least frequent).
 */
void rp_dpi_host(const struct rp_ctx *x, struct rp_host *h)
{
	struct dpi *d = x->col->dpi;
	if (!d)
		return;
	struct pair { uint16_t m, a; uint64_t n; } seen[256];
	size_t nseen = 0;
	uint64_t risks[64] = { 0 };
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		for (uint64_t m = f->risk; m; m &= m - 1)   /* the risks set, lowest first */
			risks[__builtin_ctzll(m)]++;
		if (!f->ndpi_master && !f->ndpi_app)
			continue;
		size_t k = 0;
		while (k < nseen && (seen[k].m != f->ndpi_master || seen[k].a != f->ndpi_app))
			k++;
		if (k == nseen) {
			if (nseen == sizeof seen / sizeof *seen)
				continue;
			seen[nseen++] = (struct pair){ f->ndpi_master, f->ndpi_app, 0 };
		}
		seen[k].n++;
	}
	struct rp_count all[256];
	size_t nall = 0;
	for (size_t k = 0; k < nseen; k++) {
		char name[sizeof all[0].name];
		dpi_name(d, seen[k].m, seen[k].a, name, sizeof name);
		size_t j = 0;  /* two id pairs may print alike ("DNS" as 5/0 and 5/5) */
		while (j < nall && strcmp(all[j].name, name))
			j++;
		if (j == nall) {
			memcpy(all[nall].name, name, sizeof name);
			all[nall++].flows = 0;
		}
		all[j].flows += seen[k].n;
	}
	qsort(all, nall, sizeof *all, count_desc);
	h->nservices = nall < RP_MAX_SERVICES ? (unsigned)nall : RP_MAX_SERVICES;
	memcpy(h->services, all, h->nservices * sizeof *all);
	h->nrisks = 0;
	for (unsigned b = 0; b < 64; b++) {
		const char *name = dpi_risk_name(b);
		if (!risks[b] || !name || h->nrisks == RP_MAX_RISKS)
			continue;
		struct rp_count *r = &h->risks[h->nrisks++];
		snprintf(r->name, sizeof r->name, "%s", name);
		r->flows = risks[b];
	}
	qsort(h->risks, h->nrisks, sizeof *h->risks, count_desc);
}
