/*
 * report.h - explaining a run: which protocols (by content), which
 * behaviors with evidence, in which phases, the sandbox host's role and
 * the endpoints that stick out (`botlens report`).
 *
 * One pass: rp_col_sub() subscribes a collector to the run.  It keeps a
 * compact record per flow (struct rp_flow, 112 bytes: times, hosts,
 * ports, payload counts, the application protocol found in the payload,
 * facts bits, and nDPI's protocol ids and risks when rp_col_dpi() is on)
 * and, bounded, the evidence strings the protocol
 * detectors find (HELO names, HTTP hosts, IRC commands, DNS names) and a
 * passive DNS table.  Payload is read only in the first packets of each
 * flow direction (per protocol limit), always through struct rd; HTTP is
 * the exception: every transaction, through libhtp, within a byte budget
 * per direction (proto_http.c).
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
#include "analysis/points.h"

/* Application protocols recognised by content.  Order = output order. */
#define RP_APPS(X)                                                        \
	X(NONE, "other") X(DNS, "dns") X(NTP, "ntp") X(SMTP, "smtp")        \
	X(HTTP, "http") X(TLS, "tls") X(IRC, "irc") X(FTP, "ftp")           \
	X(SMB, "smb") X(OVERNET, "overnet") X(KAD, "kad")                   \
	X(BT_DHT, "bittorrent_dht") X(GNUTELLA, "gnutella") X(EDONKEY, "edonkey") X(SHELL, "shell")   \
	X(DCERPC, "dcerpc") X(ICMP_TUNNEL, "icmp_tunnel") X(SSH, "ssh")

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
	RPF_SMB_TRANS2 = 1u << 12,  /* SMBv1 Trans2 SESSION_SETUP (DoublePulsar's channel) */
	RPF_SMB_NTTRANS = 1u << 13, /* SMBv1 NT Trans with a large parameter block (EternalBlue) */
	RPF_FTP_RETR = 1u << 14, RPF_FTP_STOR = 1u << 15, RPF_FTP_LOGIN = 1u << 16,
	RPF_TCP_EST = 1u << 17,     /* SYN-ACK seen */
	RPF_TCP_SYNONLY = 1u << 18, /* SYN, no answer, no data */
	RPF_NTP_CLIENT = 1u << 19,
	RPF_DNS_ANSWER = 1u << 20,
	RPF_SHELL = 1u << 21,       /* command-shell text on a raw TCP port */
	RPF_TLS_SNI = 1u << 22,     /* a ClientHello naming its server (server_name) */
	RPF_TCP_BACKSCATTER = 1u << 23, /* a SYN-ACK or RST answering a SYN the peer never sent:
				     * no SYN from the peer, no handshake completed, no payload */
	/* SSH (proto_ssh.c) */
	RPF_SSH_NEWKEYS_C = 1u << 24, /* the client ended its key exchange (NEWKEYS): a login follows */
	RPF_SSH_NEWKEYS_S = 1u << 25, /* the server did */
	RPF_SSH_LOST = 1u << 26,    /* the exchange was not followed (gap, cut, SSH-1, no state) */
	RPF_SSH_IDENT = 1u << 27,   /* an identification string was read */
};

/*
 * More facts (rp_flow.facts2).  Bits are reserved per area so that
 * detectors and protocol parsers can grow apart.
 */
enum {
	/* TLS (proto_tls.c, tls_cert.c) */
	RPF2_TLS_NOSNI = 1u << 0,     /* a ClientHello without server_name */
	RPF2_TLS_SELFSIGNED = 1u << 1, /* the server's certificate: issuer == subject, self-verifying */
	RPF2_TLS_CERT = 1u << 2,      /* a server certificate was parsed */
	RPF2_TLS_CERT_EXPIRED = 1u << 3, /* not valid at the flow's time */
	RPF2_TLS_CLIENT_RESP = 1u << 24, /* the ClientHello came from the responder (e.g. a bind shell) */
	RPF2_TLS13 = 1u << 25,        /* the server chose TLS 1.3: its certificate is encrypted */
	/* SMTP message reading (proto_smtp.c) */
	RPF2_SMTP_INMSG = 1u << 26,   /* after DATA: the client sends a message, not commands */
	RPF2_SMTP_INBODY = 1u << 27,  /* past the message's header block */
	/* HTTP (proto_http.c) */
	RPF2_HTTP_LOG4SHELL = 1u << 4, /* a ${jndi: lookup in any request field */
	RPF2_HTTP_FILE = 1u << 5,     /* a response body with a file type by magic */
	RPF2_HTTP_BIGPOST = 1u << 6,  /* a request body >= 64 KiB */
	RPF2_HTTP_RAWIP = 1u << 7,    /* Host is an IP literal (or absent) */
	RPF2_HTTP_JAVA = 1u << 8,     /* a Java class or JAR crossed */
	RPF2_HTTP_ELF = 1u << 9,      /* an ELF crossed */
	RPF2_HTTP_COOKIE_BLOB = 1u << 10, /* a long opaque Cookie value */
	RPF2_HTTP_HTML = 1u << 11,    /* a 2xx text/html response (a page) */
	/* raw streams (collect.c) */
	RPF2_STREAM_PE = 1u << 12,    /* a PE image in a raw stream, sent by the originator */
	RPF2_STREAM_PE_R = 1u << 14,  /* the same, sent by the responder */
	RPF2_MIDSTREAM = 1u << 13,    /* TCP with payload both ways but no handshake seen */
	/* ICMP/tunnels (proto_icmp.c) */
	RPF2_ICMP_TUNNEL = 1u << 16,  /* echo payloads carrying IP packets */
	RPF2_ICMP_TUNNEL_ORIG = 1u << 17, /* ... sent by the originator */
	RPF2_ICMP_TUNNEL_RESP = 1u << 18, /* ... sent by the responder */
	/* DNS (proto_dns.c) */
	RPF2_DNS_DIRECT = 1u << 20,   /* a query to a server that is not the host's resolver */
	RPF2_DNS_BADNAME = 1u << 21,  /* a qname that is no domain (one label, secret-like) */
	RPF2_DNS_NXRAND = 1u << 15,   /* NXDOMAIN for a name whose registered domain looks machine-made */
	RPF2_DNS_NXWORDS = 1u << 22,  /* NXDOMAIN for a name whose registered domain is words joined */
	/* authentication (proto_ftp.c, proto_smtp.c, proto_http.c, proto_smb.c) */
	RPF2_AUTH_FAIL = 1u << 19,    /* the server refused credentials: FTP 530, SMTP 535, HTTP 401, SMB logon */
	/* HTTP, continued (proto_http.c) */
	RPF2_HTTP_PLUGIN = 1u << 28,  /* a Flash, Silverlight or PDF body by magic */
	RPF2_HTTP_REDIRECT = 1u << 29, /* a 3xx response with Location */
	RPF2_HTTP_CREDFORM = 1u << 30, /* a form POST with credential-like field names */
	RPF2_HTTP_DOWNLOAD = 1u << 31, /* a response judged a download (executable or code) */
};

/* Payload timing of one flow direction, for in-session periodicity
 * (collect.c): a "message" is a run of payload packets with gaps < 1 s. */
struct rp_timing {
	float last;                 /* time of the last payload packet */
	float mean, m2;             /* Welford over the gaps between messages */
	uint32_t msgs;              /* messages */
};

/*
 * One flow's record (collect.c), 112 bytes.  The fields a payload packet
 * reads or writes after the flow's first packets come first, together
 * (48 bytes: one cache line, or two for half the records), the rest after:
 * scattered, they cost two or three cache misses per packet.
 */
struct rp_flow {
	/* per payload packet */
	struct rp_timing tm[2];     /* payload timing per direction (collect.c) */
	float first_payload;        /* time of the first payload packet (-1 none) */
	uint16_t seen[2];           /* payload packets inspected per direction */
	uint8_t proto, app;         /* IP protocol; enum rp_app */
	uint8_t done;               /* bit d: the protocol needs no more of direction d */
	union {
		uint8_t ov_sampled;     /* UDP: datagrams of it kept for Storm key recovery (storm_pick) */
		uint8_t auth_fail;      /* TCP: authentication failures the server answered (rp_auth_fail) */
	};
	uint8_t dpi;                /* nDPI detection: 0 not started, 1 running, 2 done, 3 refused */
	uint8_t dpi_pkts;           /* IP packets given to nDPI */
	uint8_t refused;            /* a parser's state was refused at the memory cap: metadata only since */
	uint8_t ident;              /* per direction d, bits 4d..4d+3: the sender's MAC slot and TTL
				     * family as counted on its first packet (ident.c) */
	/* at the flow's start and end, and in its parsers */
	float t0, t1;               /* seconds since the capture's first record */
	uint32_t h[2];              /* host index (struct host.index) of orig, resp */
	uint16_t sport, dport;      /* orig's and resp's port (ICMP: type, code) */
	uint16_t count;             /* protocol count: RCPTs, requests, queries; SSH: the client's
				     * bytes in clear, up to its NEWKEYS */
	uint16_t count2;            /* a second protocol count (HTTP: responses; TLS: the
				     * ClientHello's time after t0 in 0.1 s, rp_tls_hello_t;
				     * SSH: the server's bytes in clear) */
	uint32_t pkts[2];
	uint32_t bytes[2];          /* transport payload bytes */
	uint32_t facts;             /* RPF_* */
	uint32_t facts2;            /* RPF2_* */
	/* nDPI (analysis/dpi.c), when the collector runs it (rp_col_dpi) */
	uint64_t risk;              /* nDPI's flow risks (ndpi_risk): bit n = ndpi_risk_enum n */
	uint16_t ndpi_master, ndpi_app; /* nDPI protocol ids (NDPI_PROTOCOL_*), 0 unknown */
};
_Static_assert(sizeof(struct rp_flow) <= 112, "struct rp_flow: 112 bytes at most per flow");
_Static_assert(offsetof(struct rp_flow, t0) == 48, "struct rp_flow: the per-packet fields in the first 48 bytes");

/*
 * True when nDPI flagged risk number `risk` (nDPI 4.2's ndpi_risk_enum:
 * NDPI_TLS_SELFSIGNED_CERTIFICATE = 6, NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT
 * = 5, NDPI_SUSPICIOUS_DGA_DOMAIN = 16, NDPI_TLS_MISSING_SNI = 24,
 * NDPI_BINARY_APPLICATION_TRANSFER = 4, NDPI_MALICIOUS_JA3 = 28 ...) on flow f.
 * Detectors that want the names include <ndpi_typedefs.h>; the risk is
 * evidence to cite, the report itself turns none into a behavior.  False
 * for every risk when nDPI did not run on the flow.
 */
bool rp_flow_risk(const struct rp_flow *f, unsigned risk);

/* Evidence categories (strings kept per client host, bounded). */
enum rp_ev {
	EV_DNS_QNAME, EV_SMTP_HELO, EV_SMTP_FROM, EV_HTTP_HOST, EV_HTTP_URI, EV_HTTP_UA,
	EV_TLS_SNI, EV_IRC_NICK, EV_IRC_CHAN, EV_IRC_CMD, EV_FTP_USER, EV_FTP_FILE,
	EV_DNS_DOMAIN, EV_SMB_CMD, EV_EXE_FILE,
	EV_TLS_SUBJECT, EV_TLS_ISSUER, EV_TLS_FP, EV_JA3, EV_JA3S,
	EV_HTTP_CTYPE, EV_HTTP_FILENAME, EV_HTTP_FORM, EV_LOG4SHELL, EV_SMTP_SUBJECT,
	EV_SMTP_RCPT, EV_SMTP_AUTH, EV_ATTACH, EV_DNS_SERVER,
	EV_TUNNEL_INNER,            /* "src -> dst" of a packet inside a tunnel (proto_icmp.c) */
	EV_HTTP_UPLOAD,             /* "METHOD URI (N B)": large request bodies, credential forms */
	EV_HTTP_DOWNLOAD,           /* "type N B content-type name": responses judged downloads */
	EV_DNS_NX,                  /* query names answered NXDOMAIN, lower case, under the client */
	EV_SSH_CLIENT,              /* the SSH client's software ("libssh2_1.9.0"), under the client */
	EV_SSH_SERVER,              /* the SSH server's software ("OpenSSH_8.9p1 Ubuntu-3"), under the server */
	EV_COUNT
};

struct rp_col;

/* A payload segment handed to a protocol detector. */
struct rp_seg {
	const uint8_t *p;
	size_t n;                   /* captured payload bytes */
	size_t wire;                /* payload bytes on the wire (>= n) */
	int dir;                    /* 0: from the originator */
	float t;
	const struct flow *f;
	uint32_t idx;               /* the flow's record index (rp_state_*) */
	uint32_t seq;               /* TCP sequence number of p[0] */
	uint8_t tcp_flags;
};

/* A protocol detector (analysis/proto_*.c), registered as data. */
struct rp_proto {
	const char *name;
	uint8_t app;
	uint16_t max_pkts;          /* payload packets per direction worth reading */
	/* True when s is this protocol; records facts in rf and evidence in c.
	 * A parser done with a direction sets bit dir in rf->done. */
	bool (*inspect)(struct rp_col *c, struct rp_flow *rf, const struct rp_seg *s);
	/* Optional: the flow ended; release its state (rp_state_take). */
	void (*flow_end)(struct rp_col *c, struct rp_flow *rf, uint32_t idx);
};

/*
 * Per-flow parser state, keyed by the flow's record index, bounded by
 * RP_STATE_MAX live entries and --inspect-mem (rp_col_limits) bytes
 * declared in all.
 * rp_state_put() fails (false: the caller frees p and goes on with
 * metadata only) when either bound is reached; the refusals are counted.
 * free_fn releases p if the collector is freed before the flow ends.
 */
void *rp_state_get(struct rp_col *c, uint32_t idx);
bool rp_state_put(struct rp_col *c, uint32_t idx, void *p, size_t bytes, void (*free_fn)(void *));
/* Removes and returns the state of idx (the caller frees it), or NULL. */
void *rp_state_take(struct rp_col *c, uint32_t idx);
/* Adjusts the declared bytes of idx's state (it grew or shrank); false past the cap. */
bool rp_state_resize(struct rp_col *c, uint32_t idx, size_t bytes);

/* Evidence and passive DNS, for the detectors. host = client's host index
 * (TLS: JA3S and the certificate's subject, issuer, SHA-1 under the server's). */
void rp_ev_add(struct rp_col *c, uint32_t host, unsigned cat, const uint8_t *s, size_t n);
void rp_pdns_add(struct rp_col *c, uint8_t family, const uint8_t *addr, const char *name);

struct rp_col *rp_col_new(void);
void rp_col_free(struct rp_col *c);
/* Runs nDPI on the collector's flows (analysis/dpi.c): one detection
 * module, ~10 MB.  thread: on a thread of its own (analysis/dpi_thread.c),
 * which makes the module (true when the thread started; the results are
 * the same either way); else in the caller's, made here.  False when nDPI
 * could not be initialised: the report goes on without it.  Call before
 * the run; rp_build ends the thread. */
bool rp_col_dpi(struct rp_col *c, bool thread);
/*
 * Inspection limits (before the run; 0 keeps a default).  bytes: each
 * flow direction's budget, what a parser reads past what it needs to
 * recognise and describe the exchange (HTTP: body bytes past each body's
 * first 512, the direction stopping at the larger of 1 MiB and bytes in
 * all; TLS: handshake bytes, at most 32 KiB), default RP_INSPECT_BYTES.
 * mem: the cap on the bytes all parser and reassembly states declare
 * together, default RP_INSPECT_MEM; past it a flow that needs a state
 * gets metadata only from then on, and is counted (rp_report).
 */
#define RP_INSPECT_BYTES ((size_t)64 << 10)
#define RP_INSPECT_MEM ((size_t)256 << 20)
void rp_col_limits(struct rp_col *c, size_t bytes, size_t mem);
/* The subscription (needs track_hosts; hosts_light is enough). */
struct run_sub rp_col_sub(struct rp_col *c);
bool rp_col_oom(const struct rp_col *c);
/* The application protocol botlens's parsers recognised in flow f of the
 * current run ("dns", "tls", ...), or NULL (none, or f unknown to c).
 * Valid in a flow_end subscriber that runs after the collector's. */
const char *rp_col_flow_app(const struct rp_col *c, const struct flow *f);

/*
 * The parsers' findings one at a time, with their flow and time, for logs
 * that want a row per transaction (Zeek's dns.log, http.log, ssl.log,
 * smtp.log, files.log; render/zeek_tx.c).  fn gets every evidence string
 * as rp_ev_add() receives it (cut and sanitised as kept, before the
 * per-host counting: also past RP_EV_MAX) and, with cat RP_EV_ANSWER, each
 * address a DNS answer gives (s its text).  It runs inside the
 * collector's subscriber, in the pass's thread, and for a flow always
 * before the flow's end reaches the subscribers after the collector.
 * fn NULL turns it off (the default).
 */
#define RP_EV_ANSWER EV_COUNT
struct rp_ev_event {
	unsigned cat;               /* enum rp_ev, or RP_EV_ANSWER */
	const char *s;
	const struct flow *f;
	int dir;                    /* the segment's direction (0: from the originator); -1 at the flow's end */
	int64_t ts_ns;              /* the packet's time (the flow's last at its end) */
};
void rp_col_on_ev(struct rp_col *c, void (*fn)(void *ctx, const struct rp_ev_event *e), void *ctx);

/* ---- the report ---- */

struct rp_kv {
	char key[24];
	char val[120];
	bool num;                   /* val is a JSON number */
};

#define RP_MAX_KV 12
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

/* An indicator an analyst can hand to a SOC's tools (doc/report-schema.md). */
#define RP_MAX_IOCS 256
struct rp_ioc {
	const char *type;           /* "domain", "uri", "user_agent", "address", "file", "ja3", ... */
	char value[80];
	uint32_t count;             /* times seen */
	char behavior[24];          /* the behavior kind it supports, or "" */
};

/* A name and its flow count: nDPI services and risks of a host. */
struct rp_count {
	char name[48];
	uint64_t flows;
};

/* An address that looks used by two machines (ident.c): the evidence. */
struct rp_shared {
	bool on;
	uint8_t mac[2][6];          /* two source MACs, when that is the evidence (else zero) */
	uint32_t mac_pkts[2];
	float mac_first[2];
	unsigned ttl[2];            /* two initial TTL families (64, 128, 255), first seen first; 0 none */
	uint32_t ttl_pkts[2];
	char evidence[400];         /* "this address was used by two machines? two MAC addresses: ..." */
};

/* One of two machines an address was split into (ident.c): the host stands for it alone. */
struct rp_machine {
	bool on;
	bool by_mac;                /* told apart by source MAC, else by initial TTL */
	bool has_mac;
	uint8_t mac[6];             /* the source MAC most of its packets came from */
	unsigned ttl;               /* the initial TTL most of its TCP/UDP packets had (64, 128, 255), 0 none */
	char label[24];             /* the trait that tells it apart: "02:00:00:00:00:0b" or "TTL 64" */
};

#define RP_MAX_BEHS 32
#define RP_MAX_SERVICES 32  /* distinct nDPI names per host, most flows first */
#define RP_MAX_RISKS 64
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
	struct rp_count services[RP_MAX_SERVICES];  /* nDPI name ("TLS.Google") -> flows */
	unsigned nservices;
	struct rp_count risks[RP_MAX_RISKS];        /* nDPI risk name -> flows */
	unsigned nrisks;
	uint64_t flows_out, flows_in, peers;
	struct plot_point *pts;     /* outbound flows: time x port (for the HTML plot) */
	struct rp_ioc *iocs;        /* indicators, by type then count (indicators.c) */
	unsigned niocs;
	bool malicious;             /* a malicious behavior was found */
	const char *selected;       /* why it is explained: "sandbox", "suspect" or "requested" (--host) */
	struct rp_shared shared;    /* a caveat: two machines behind this address (shared.on) */
	struct rp_machine machine;  /* ... reported apart: which one this host is (machine.on) */
	char verdict[600];          /* one paragraph: what the host is, the strongest evidence, when */
	size_t npts;
};

struct rp_report {
	const char *file;
	double span;
	int64_t start_ns;
	char geo_db[256];           /* the libloc database used, or "" */
	size_t inspect_bytes, inspect_mem;  /* the limits the pass ran with (rp_col_limits) */
	uint64_t inspect_refused;   /* flows refused inspection at the memory cap (metadata only) */
	struct rp_host *hosts;
	unsigned nhosts;
	unsigned nsandbox, nsuspect; /* hosts[] by h->selected; with --host both 0 */
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
/* The host as the reports name it: its address, and for one of two machines sharing it the trait
 * that tells it apart ("10.0.0.5 [02:00:00:00:00:0b]", "10.0.0.5 [TTL 64]"). */
void rp_host_label(const struct rp_host *h, char *buf, size_t len);
/* "mm:ss" or "h:mm:ss" of seconds since the start (verdict.c). */
void rp_clock(double t, char *buf, size_t len);
/* ---- rules.c: the detectors as data ---- */

/* A behavior kind: malicious or not, the role it implies (or NULL), its verdict weight. */
struct rp_kind {
	const char *name;
	bool malicious;
	const char *role;
	unsigned weight;            /* lower is heavier */
	const char *doc;
};
const struct rp_kind *rp_kind_find(const char *name);
const struct rp_kind *rp_kinds(size_t *n);
/* True when a behavior kind is malicious (not dns/http/tls/time_sync/ping/irc/server). */
bool rp_kind_malicious(const char *kind);

/* A tunable threshold a detector declares in its table row. */
struct rp_rule {
	const char *name;           /* "session.hold_s" */
	double def, min, max;
	const char *doc;            /* what it bounds, with its unit */
};
const struct rp_rule *rp_rule_find(const char *name);
/* Overrides of rule values for one report (NULL: the defaults). */
struct rp_params;
struct rp_params *rp_params_new(void);
void rp_params_free(struct rp_params *p);
/* "NAME=VALUE"; -1 with err for an unknown rule or a value out of range. */
int rp_params_set(struct rp_params *p, const char *assign, char *err, size_t errlen);
/* NAME=VALUE lines, '#' comments; -1 with err naming the file and line. */
int rp_params_load(struct rp_params *p, const char *path, char *err, size_t errlen);
/* The collector uses p (not copied: it must outlive the report's build). */
void rp_col_params(struct rp_col *c, const struct rp_params *p);
/* Calls fn once per detector (r NULL) and once per rule of it, in table order. */
void rp_rules_each(void (*fn)(void *ctx, const char *detector, const char *kinds, const struct rp_rule *r),
		   void *ctx);

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
