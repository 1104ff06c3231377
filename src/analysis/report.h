/*
 * report.h - explaining a run: which protocols (by content), which
 * behaviors with evidence, in which phases, the sandbox host's role and
 * the endpoints that stick out (`botlens report`).
 *
 * One pass: rp_col_sub() subscribes a collector to the run.  It keeps a
 * compact record per flow (struct rp_flow, 48 bytes: times, hosts,
 * ports, payload counts, the application protocol found in the payload
 * and facts bits) and, bounded, the evidence strings the protocol
 * detectors find (HELO names, HTTP hosts, IRC commands, DNS names) and a
 * passive DNS table.  Payload is read only in the first packets of each
 * flow direction (per protocol limit), always through struct rd.
 * After the pass rp_build() runs the behavior detectors (one table,
 * analysis/beh_*.c) per sandbox host, derives the phases, the role and the
 * notable endpoints, and enriches them (geo.c, libloc).
 *
 * The library never prints: errors are returned with a message.
 */
#ifndef BOTLENS_REPORT_H
#define BOTLENS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/run.h"
#include "render/plot.h"

/* Application protocols recognised by content.  Order = output order. */
#define RP_APPS(X)                                                        \
	X(NONE, "other") X(DNS, "dns") X(NTP, "ntp") X(SMTP, "smtp")        \
	X(HTTP, "http") X(TLS, "tls") X(IRC, "irc") X(FTP, "ftp")           \
	X(SMB, "smb") X(OVERNET, "overnet") X(KAD, "kad")                   \
	X(BT_DHT, "bittorrent_dht") X(GNUTELLA, "gnutella") X(SHELL, "shell")

enum rp_app {
#define X(e, s) RP_APP_##e,
	RP_APPS(X)
#undef X
	RP_APP_COUNT
};
const char *rp_app_name(unsigned app);

/* Facts bits of a flow (rp_flow.facts), set by the protocol detectors. */
enum {
	RPF_HTTP_GET = 1u << 0, RPF_HTTP_POST = 1u << 1, RPF_HTTP_BINARY = 1u << 2,
	RPF_EXE = 1u << 3,          /* an executable crossed (MZ body, .exe request) */
	RPF_SMTP_MAIL = 1u << 4, RPF_SMTP_DATA = 1u << 5, RPF_SMTP_AUTH = 1u << 6,
	RPF_IRC_REG = 1u << 7, RPF_IRC_JOIN = 1u << 8, RPF_IRC_CMD = 1u << 9,
	RPF_DNS_TUNNEL = 1u << 10,  /* long, random-looking labels or TXT/NULL queries */
	RPF_OV_XOR = 1u << 11,      /* Overnet under Storm's XOR key */
	RPF_SMB_TRANS2 = 1u << 12,  /* SMBv1 Trans2 (DoublePulsar's channel) */
	RPF_SMB_NTTRANS = 1u << 13, /* SMBv1 NT Trans with a large parameter block (EternalBlue) */
	RPF_FTP_RETR = 1u << 14, RPF_FTP_STOR = 1u << 15, RPF_FTP_LOGIN = 1u << 16,
	RPF_TCP_EST = 1u << 17,     /* SYN-ACK seen */
	RPF_TCP_SYNONLY = 1u << 18, /* SYN, no answer, no data */
	RPF_NTP_CLIENT = 1u << 19,
	RPF_DNS_ANSWER = 1u << 20,
	RPF_SHELL = 1u << 21,       /* command-shell text on a raw TCP port */
};

struct rp_flow {
	float t0, t1;               /* seconds since the capture's first record */
	uint32_t h[2];              /* host index (struct host.index) of orig, resp */
	uint16_t sport, dport;      /* orig's and resp's port (ICMP: type, code) */
	uint8_t proto, app;         /* IP protocol; enum rp_app */
	uint8_t seen[2];            /* payload packets inspected per direction */
	uint32_t pkts[2];
	uint32_t bytes[2];          /* transport payload bytes */
	uint32_t facts;             /* RPF_* */
	uint16_t count;             /* protocol count: RCPTs, requests, queries */
	uint8_t ov_sampled;         /* a datagram of it is kept for Storm key recovery */
	uint8_t spare;
};

/* Evidence categories (strings kept per client host, bounded). */
enum rp_ev {
	EV_DNS_QNAME, EV_SMTP_HELO, EV_SMTP_FROM, EV_HTTP_HOST, EV_HTTP_URI, EV_HTTP_UA,
	EV_TLS_SNI, EV_IRC_NICK, EV_IRC_CHAN, EV_IRC_CMD, EV_FTP_USER, EV_FTP_FILE,
	EV_DNS_DOMAIN, EV_SMB_CMD, EV_EXE_FILE, EV_COUNT
};

struct rp_col;

/* A payload segment handed to a protocol detector. */
struct rp_seg {
	const uint8_t *p;
	size_t n;                   /* captured payload bytes */
	int dir;                    /* 0: from the originator */
	float t;
	const struct flow *f;
};

/* A protocol detector (analysis/proto_*.c), registered as data. */
struct rp_proto {
	const char *name;
	uint8_t app;
	uint8_t max_pkts;           /* payload packets per direction worth reading */
	/* True when s is this protocol; records facts in rf and evidence in c. */
	bool (*inspect)(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s);
};

/* Evidence and passive DNS, for the detectors. host = client's host index. */
void rp_ev_add(struct rp_col *c, uint32_t host, unsigned cat, const uint8_t *s, size_t n);
void rp_pdns_add(struct rp_col *c, uint8_t family, const uint8_t *addr, const char *name);

struct rp_col *rp_col_new(void);
void rp_col_free(struct rp_col *c);
/* The subscription (needs track_hosts; hosts_light is enough). */
struct run_sub rp_col_sub(struct rp_col *c);
bool rp_col_oom(const struct rp_col *c);

/* ---- the report ---- */

struct rp_kv {
	char key[24];
	char val[120];
	bool num;                   /* val is a JSON number */
};

#define RP_MAX_KV 8
struct rp_beh {
	char kind[24];
	double start, end;
	uint64_t flows;
	bool malicious;
	char evidence[320];         /* in words */
	struct rp_kv kv[RP_MAX_KV];
	unsigned nkv;
};

struct rp_notable {
	uint8_t family, addr[16];
	double score, first;
	uint64_t flows;
	char reason[240];
	char name[96];              /* from the capture's DNS answers, or "" */
	uint32_t asn;
	char org[96], country[4], range[40];   /* range: private/reserved label or "" */
};

#define RP_MAX_BEHS 32
#define RP_MAX_NOTABLE 10
struct rp_host {
	uint8_t family, addr[16];
	uint32_t index;
	char role[16];
	char role_reason[240];
	bool nat, reachable;
	struct rp_beh behs[RP_MAX_BEHS];
	unsigned nbehs;             /* sorted by start: the phases */
	struct rp_notable notable[RP_MAX_NOTABLE];
	unsigned nnotable;
	uint64_t app_flows[RP_APP_COUNT];
	uint64_t flows_out, flows_in, peers;
	struct plot_point *pts;     /* outbound flows: time x port (for the HTML plot) */
	size_t npts;
};

struct rp_report {
	const char *file;
	double span;
	int64_t start_ns;
	char geo_db[256];           /* the libloc database used, or "" */
	struct rp_host *hosts;
	unsigned nhosts;
};

struct geo;
/*
 * Builds the report of run r from collector c: for the host (family, addr)
 * when family != 0, else for every sandbox host.  g may be NULL (no AS
 * enrichment).  Returns 0, or -1 (out of memory) with err filled.
 */
int rp_build(struct rp_col *c, const struct run *r, uint8_t family, const uint8_t *addr,
	     struct geo *g, struct rp_report *out, char *err, size_t errlen);
void rp_report_free(struct rp_report *rep);
/* True when a behavior kind is malicious (not dns/http/tls/time_sync/ping/server). */
bool rp_kind_malicious(const char *kind);

/* ---- geo.c: libloc enrichment ---- */
/* Opens a libloc database (path NULL: the system's). NULL with err filled. */
struct geo *geo_open(const char *path, char *err, size_t errlen);
void geo_close(struct geo *g);
const char *geo_path(const struct geo *g);
/* AS number (0 unknown), organisation and country code of an address. */
void geo_lookup(struct geo *g, uint8_t family, const uint8_t *addr, uint32_t *asn,
		char *org, size_t orglen, char cc[4]);
/* The private/reserved range an address is in ("private (RFC 1918)"...) or NULL. */
const char *geo_range(uint8_t family, const uint8_t *addr);

#endif
