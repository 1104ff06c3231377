/*
 * report-int.h - inside the report analysis: the collector's tables, the
 * protocol and behavior detector tables, and the context a behavior
 * detector gets.
 *
 * Invariants: flows[i] is the record of the flow whose user field is
 * i + 1; evidence entries are unique per (host, category, text) and at
 * most RP_EV_MAX in all; passive DNS keeps at most RP_PDNS_MAX names.
 */
#ifndef BOTLENS_REPORT_INT_H
#define BOTLENS_REPORT_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "analysis/report.h"
#include "analysis/storm.h"
#include "p2p/p2p.h"

#define RP_UNKNOWN_PKTS 2   /* payload packets per direction tried on every parser until one claims the flow */
#define RP_MAX_HOSTS 32    /* sandbox hosts and suspects explained per run */
#define RP_EV_MAX 20000
#define RP_EV_LEN 80
#define RP_PDNS_MAX 16384
#define RP_HASH 8192

struct rp_ev_entry {
	struct rp_ev_entry *next;
	uint32_t host, count;
	uint8_t cat, len;
	uint8_t who;                /* during the pass: which machine of host's address sent it (rp_ident_key) */
	char s[RP_EV_LEN];
};

struct rp_pdns_entry {
	struct rp_pdns_entry *next;
	uint8_t family, addr[16];
	char name[96];
};

#define RP_STATE_MAX 65536    /* live per-flow parser states */
#define RP_STATE_HASH 16384
#define RP_DPI_LIVE 32768     /* live nDPI flow states (~700 bytes each and what they allocate) */

struct rp_state {
	struct rp_state *next;
	uint32_t idx;
	size_t bytes;
	void *p;
	void (*free_fn)(void *);
};


/* ARP who-has table (arp_sweep.c): per (sender IPv4, target /24). */
#define RP_ARP_MAX 4096
#define RP_ARP_HASH 1024
#define RP_ARP_WINDOW 60.0f    /* seconds: new targets are counted per window */
#define RP_ARP_SWEEP_MIN 32    /* distinct targets of one /24 in one window: a sweep */

struct rp_arp {
	uint32_t sender, net;       /* host order; net = the target's /24 */
	uint64_t bits[4];           /* last octets asked for */
	uint32_t requests, next;    /* who-has requests; hash chain (index + 1, 0 ends) */
	uint16_t distinct, wn, best;   /* targets; new in the current window; most in one window */
	float t0, t1;               /* first and last new target */
	float wt0, bt0, bt1;        /* current window's start; the best window's first and last */
};

/* DNS clients and servers (proto_dns.c): per (client host, server host). */
#define RP_DNS_PEERS 16384
#define RP_DNS_HASH 4096

struct rp_dns_peer {
	uint32_t client, server;    /* host indexes */
	uint32_t queries;           /* questions sent */
	uint32_t data;              /* ... with a data-like name (long, encoded labels) */
	uint32_t badname;           /* ... with a name that is no domain (one label) */
	uint32_t baddata;           /* ... one label that looks like data (TXT/NULL/ANY, long) */
	uint32_t next;              /* hash chain (index + 1, 0 ends) */
	bool resolver;              /* the client's resolver (rp_dns_finish) */
	uint8_t who;                /* during the pass: which machine of the client's address asked (rp_ident_key) */
	uint8_t family, addr[16];   /* the server's address */
	uint64_t data_bytes;        /* bytes of the data-like names */
	float t0, t1;               /* first and last data-like or one-label query */
	char sample[48];            /* the first such name */
	uint16_t sample_type;       /* its query type */
};

/* Per-address machine traits (ident.c): source MACs and initial-TTL families. */
#define RP_IDENT_MAX 65536     /* host indexes tracked */
#define RP_IDENT_MIN 10        /* packets of a second MAC or TTL family that make it a second machine ... */
#define RP_IDENT_SHARE 0.05    /* ... when also this share of the address's packets */

struct rp_ident {
	uint8_t mac[2][6];          /* the first two source MACs (internal addresses only) */
	uint32_t mac_pkts[2], mac_more;   /* packets with each; with a third MAC or more */
	float mac_first[2], mac_last[2];
	uint32_t ttl_pkts[3];       /* packets sent per initial TTL 64, 128, 255 */
	float ttl_first[3];
};

/* An address split into two machines after the pass (rp_ident_split): the second is a twin host. */
struct rp_split {
	uint32_t host;              /* the address's host index: the first machine keeps it */
	bool by_mac;                /* told apart by source MAC (a change), else by initial-TTL family */
	uint8_t fam2;               /* by TTL: the second machine's family (0..2: 64, 128, 255) */
	uint32_t mac_votes[2][2];   /* per machine: packets its flow directions sent per MAC slot */
	uint32_t ttl_votes[2][3];   /* ... per initial-TTL family */
	uint64_t flows[2][2];       /* per machine: flows it originated, received */
};

struct rp_col {
	struct rp_flow *flows;
	size_t nflows, cap;
	/* the records' pages made present ahead of the flow stage by the pass's
	 * other thread (collect.c, rec_make): flows moves only under rec_mu */
	pthread_mutex_t rec_mu;
	atomic_size_t rec_goal;     /* bytes of flows to have present (set by the flow stage) */
	atomic_size_t rec_made;     /* bytes of flows present (written under rec_mu) */
	struct rp_ev_entry *ev[RP_HASH];
	size_t nev;
	struct rp_pdns_entry *pdns[RP_HASH];
	size_t npdns;
	struct storm_samples ov;    /* candidate Storm datagrams for key recovery (tag: flow index) */
	struct rp_state *st[RP_STATE_HASH];
	size_t nst, st_bytes;
	uint64_t st_refused;        /* states refused at the caps */
	uint64_t flows_refused;     /* flows refused a state at the caps: metadata only since (rp_flow.refused) */
	size_t inspect_bytes;       /* per-direction budget (rp_col_limits) */
	size_t inspect_mem;         /* cap on st_bytes (rp_col_limits) */
	const struct rp_params *params; /* rule overrides, or NULL */
	struct rp_arp *arp;         /* ARP who-has table (arp_sweep.c) */
	size_t narp, caparp;
	uint64_t arp_dropped;       /* pairs past RP_ARP_MAX */
	uint32_t arp_hash[RP_ARP_HASH];
	struct rp_dns_peer *dns;    /* DNS client/server pairs (proto_dns.c) */
	size_t ndns, capdns;
	uint32_t dns_hash[RP_DNS_HASH];
	const struct run *run;
	struct dpi *dpi;            /* nDPI, when rp_col_dpi() turned it on (threaded: after rp_dpi_join) */
	struct dpi_work *dw;        /* its per-flow detection (dpi_work.c), in this thread */
	struct dpi_thread *dt;      /* ... or on a thread of its own (dpi_thread.c) until rp_dpi_join */
	bool dpi_in_place;          /* ... which reads packets in the capture's mapping, not copies */
	uint64_t dpi_refused;       /* flows nDPI did not see: past the bounds (after rp_dpi_join) */
	uint64_t dpi_inherited;     /* flows named from their endpoint's verdict, not dissected (idem) */
	struct rp_ident *ident;     /* by host index - 1 (ident.c), nident entries */
	size_t nident;
	/* after the pass (rp_ident_split): addresses of two machines, the second one's twin hosts */
	bool split_done;
	struct rp_split *split;     /* nsplit; twin of split[k]: host index nreal + k + 1 */
	uint32_t *split_of;         /* by host index - 1 (nident entries): k + 1, or 0 */
	struct host *twins;         /* nsplit stand-ins: the address, the twin's index */
	size_t nsplit;
	uint64_t nreal;             /* host indexes of the capture's hosts table (twins come after) */
	bool oom;
	/* rp_col_on_ev: the per-finding hook and the segment being inspected */
	void (*ev_fn)(void *ctx, const struct rp_ev_event *e);
	void *ev_ctx;
	const struct flow *cur_f;   /* NULL outside inspect/flow_end */
	int cur_dir;
	int64_t cur_ns;
};

/* proto_dns.c: the registered domain of a dotted name, approximated (a pointer
 * into name): the last two labels, or three when the second-level label is a
 * short public suffix (co, com, net, org, ac, gov, edu) under a two-letter
 * country code ("a.b.example.co.uk" -> "example.co.uk"). */
const char *rp_dns_regdom(const char *name);
/* The machine-made look of a label (proto_dns.c, doc/report-schema.md "dga"). */
struct rp_label {
	unsigned len, vowels, digits, run, switches; /* run: longest consonant run; switches: letter/digit */
	double entropy;             /* Shannon, bits per character */
};
/* Measures l[0..n) (case-folded) and returns true when it looks machine-made:
 * >= 8 characters, entropy >= 2.5 bits and few vowels, a long consonant run
 * or letters and digits mixed. */
bool rp_dns_label_random(const char *l, size_t n, struct rp_label *m);
/* True when a query name is one the DGA rule judges: a dotted Internet name
 * (not arpa, local or single-label) whose registered domain's label looks
 * machine-made; *m measures that label. */
bool rp_dns_name_random(const char *name, struct rp_label *m);
/* The label those rules judge: the registered domain's own (not NUL-ended, *n
 * bytes) of a dotted Internet name, or NULL (arpa, local, single-label, punycode). */
const char *rp_dns_judged_label(const char *name, size_t *n);
/* dga_words.c: the fewest common English words (3-10 letters, a built-in
 * list) that the lower-case letters l[0..n) split into, 0 when they do not
 * or need more than max_words. */
#define RP_WORDS_MAX 4
unsigned rp_words_split(const char *l, size_t n, unsigned max_words);
/* The same for a query name's judged label (*len: its length); 0 when not judged. */
unsigned rp_dns_name_words(const char *name, size_t *len);

/* ident.c: counts the first packet p of direction dir of a flow (rf) sent by host (its index) at
 * now, noting its traits in rf->ident; at the flow's end, its other packets count with the same
 * traits (rp_ident_flow_end); an ARP packet counts for the address it claims. */
void rp_ident_first(struct rp_col *c, struct rp_flow *rf, int dir, const struct pkt *p, float now);
void rp_ident_flow_end(struct rp_col *c, const struct rp_flow *rf, const struct flow *f);
void rp_ident_arp(struct rp_col *c, const struct run *r, const struct pkt *p, float now);
/* Fills h->shared when the address of host looks used by two machines, and h->machine when the
 * host is one of two machines split apart (rp_ident_split). */
void rp_ident_host(const struct rp_col *c, uint32_t host, struct rp_host *h);
/* Which machine of host's address sent the segment being inspected (c->cur_f): the sender traits
 * of host's side of the flow, for evidence keyed per machine until the split (rp_ev_add). */
uint8_t rp_ident_key(const struct rp_col *c, uint32_t host);
/* After the pass, once: each address the rule of rp_ident_host finds shared becomes two hosts,
 * the second machine a twin (host index nreal + k + 1, c->twins); the flows whose host side it
 * sent move to the twin (rf->h), and so does its evidence (rp_ev_regroup).  hosts: the capture's
 * nhosts hosts by index - 1.  -1 out of memory. */
int rp_ident_split(struct rp_col *c, struct host *const *hosts, uint64_t nhosts);
/* The host index of host's address: a twin's (the second machine of a split address) is the
 * first machine's; any other index is itself.  Notable endpoints are addresses. */
uint32_t rp_ident_address(const struct rp_col *c, uint32_t host);
/* True when what its address did at time t with no sender trait (ARP, counted per address) is
 * host's: always for an address of one machine; of two, the one whose MAC the address had at t
 * after a MAC change, the first machine when they were told apart by TTL. */
bool rp_ident_at(const struct rp_col *c, uint32_t host, double t);
/* The host index evidence keyed (host, who) during the pass belongs to after the split. */
uint32_t rp_ident_owner(const struct rp_col *c, uint32_t host, uint8_t who);
/* collect.c: rekeys every evidence entry to rp_ident_owner's host, merging equal entries. */
void rp_ev_regroup(struct rp_col *c);
/* arp_sweep.c: counts an ARP packet (p->arp) seen at now (s since the start). */
void rp_arp_packet(struct rp_col *c, const struct pkt *p, float now);
/* True when entry e asked for RP_ARP_SWEEP_MIN targets or more in one window. */
bool rp_arp_sweep(const struct rp_arp *e);
/* proto_dns.c: after the split (rp_ident_split), gives each client/server pair to the machine of
 * the client's address that asked (rp_ident_owner), merging a client's pairs of one server. */
void rp_dns_regroup(struct rp_col *c);
/* proto_dns.c: after the pass, finds each client's resolver (the server
 * most of its queries for domain names go to) and marks the DNS flows to
 * any other server RPF2_DNS_DIRECT. */
void rp_dns_finish(struct rp_col *c);
/* rp_dns_finish in two steps, for a caller that passes over the records anyway: the
 * resolvers (false out of memory: then no record is to be marked), then each record (the
 * DNS flows to another server marked). */
bool rp_dns_resolvers(struct rp_col *c);
void rp_dns_flow_finish(const struct rp_col *c, struct rp_flow *f);
/* The distinct senders of sweeps, up to max; returns how many. */
size_t rp_arp_sweepers(const struct rp_col *c, uint8_t (*addr)[4], size_t max);

extern const struct rp_proto *const rp_protos[];
extern const size_t rp_nprotos;

/* What a behavior detector sees: the flows of one sandbox host. */
struct rp_ctx {
	const struct rp_col *col;
	const struct run *run;
	struct host **hosts;        /* by index - 1 */
	uint64_t nhosts;
	uint32_t self;              /* the sandbox host's index */
	const struct host *me;
	const struct rp_flow **fl;  /* its flows, in start order */
	size_t nfl;
	double span;
};

/* A behavior detector (analysis/beh_*.c), registered as data. */
struct analysis {
	const char *name;
	/* Appends the behaviors it finds to h (rp_beh_add).  Returns 0, or -1
	 * when an allocation failed: rp_build then fails ("out of memory")
	 * rather than let a detector that could not look read as "not found". */
	int (*run)(const struct rp_ctx *x, struct rp_host *h);
	const char *kinds;          /* the kinds it emits, comma-separated (rules.c describes them) */
	const struct rp_rule *rules; /* its tunable thresholds (rp_param) */
	unsigned nrules;
};

/* The value of rule r for this report: an override (--set, --rules) or its default. */
double rp_param(const struct rp_ctx *x, const struct rp_rule *r);

extern const struct analysis *const rp_analyses[];
extern const size_t rp_nanalyses;

/* Helpers for detectors (report.c). */
struct rp_beh *rp_beh_add(struct rp_host *h, const char *kind, double start, double end, uint64_t flows);
void rp_kv_num(struct rp_beh *b, const char *key, double v);
void rp_kv_str(struct rp_beh *b, const char *key, const char *v);
/* The value of a behavior's field, or NULL. */
const char *rp_kv_get(const struct rp_beh *b, const char *key);
/* Sets the behavior's evidence sentence (cut to fit). */
void rp_evidence(struct rp_beh *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* snprintf into buf that cuts to fit on purpose (sentences of evidence): through a
 * va_list, so gcc's -Wformat-truncation judges no call. */
void rp_say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The other endpoint's host of flow f as seen from the sandbox host. */
const struct host *rp_peer(const struct rp_ctx *x, const struct rp_flow *f);
bool rp_outbound(const struct rp_ctx *x, const struct rp_flow *f);
/* True when both ends of f are one machine: the same address, or a loopback
 * address (127/8, ::1) at either end.  Such a connection is one process
 * talking to another (a local database, controller or proxy); the C2
 * detectors judge only traffic that leaves the machine. */
bool rp_same_machine(const struct rp_ctx *x, const struct rp_flow *f);
/* A port of an ordinary service (report.c): proto 6 TCP, else UDP. */
bool rp_service_port(uint8_t proto, uint16_t port);
/* Up to max evidence strings of (host, cat), most frequent first, joined by ", ". */
size_t rp_ev_join(const struct rp_col *c, uint32_t host, unsigned cat, unsigned max, char *buf, size_t len);
uint64_t rp_ev_total(const struct rp_col *c, uint32_t host, unsigned cat);
/* How many times text s was recorded under (host, cat) (s cut as rp_ev_add cuts it), 0 never. */
uint32_t rp_ev_count(const struct rp_col *c, uint32_t host, unsigned cat, const char *s);
/* Calls fn for every evidence string of (host, cat), in no particular order. */
void rp_ev_each(const struct rp_col *c, uint32_t host, unsigned cat,
		void (*fn)(void *ctx, const char *s, uint32_t count), void *ctx);
/* The count of the most frequent evidence string of (host, cat), 0 if none. */
uint64_t rp_ev_top_count(const struct rp_col *c, uint32_t host, unsigned cat);
const char *rp_pdns_name(const struct rp_col *c, uint8_t family, const uint8_t *addr);
/* Text helpers for detectors. */
bool rp_starts_ci(const uint8_t *p, size_t n, const char *word);
/* Copies the line at p (up to CR/LF) into rd-checked bounds; returns its length. */
size_t rp_line(const uint8_t *p, size_t n);

/* A server refused the client's credentials on TCP flow rf (FTP 530, SMTP 535,
 * HTTP 401): counted per flow up to 255, for beh_brute.c. */
static inline void rp_auth_fail(struct rp_flow *rf)
{
	rf->facts2 |= RPF2_AUTH_FAIL;
	if (rf->proto == 6 && rf->auth_fail < 255)
		rf->auth_fail++;
}

/* The payload timing of direction d of f, or NULL when it had one payload packet. */
const struct rp_timing *rp_timing_of(const struct rp_col *c, const struct rp_flow *f, int d);

/* indicators.c: fills h->iocs from the evidence of x's host and h's behaviors. -1: out of memory. */
int rp_indicators(const struct rp_ctx *x, struct rp_host *h);
/* verdict.c: fills h->verdict and h->malicious from h's behaviors and role. */
void rp_verdict(struct rp_host *h);
/* ---- TLS (proto_tls.c, tls_cert.c) ---- */
#define TLS_CERT_MAX (32u << 10)
struct tls_cert {
	char subject[120], issuer[120];   /* "CN=..., O=..." */
	char sha1[41];                    /* lowercase hex */
	bool selfsigned, expired;
};
/* Decodes a DER certificate with OpenSSL; when: Unix time to check validity at, or 0. */
bool tls_cert_parse(const uint8_t *der, size_t n, int64_t when, struct tls_cert *out);
/* The MD5 of s[0..n) in hex (JA3). */
void tls_md5_hex(const char *s, size_t n, char out[33]);
/* True for the ports where TLS is the expected service (443, 465, 563, 636, 853,
 * 989-995, 3269, 5061, 8443). */
bool rp_tls_port_known(uint16_t port);
/* The TLS client's side of a TLS flow (0: the originator). */
/* proto_shell.c: which side of a remote-shell flow the shell is on (0 originator, 1
 * responder: the side its output came from, else the side commands went to), -1 unknown. */
int rp_shell_side(const struct rp_flow *f);

static inline int rp_tls_client(const struct rp_flow *f)
{
	return f->facts2 & RPF2_TLS_CLIENT_RESP ? 1 : 0;
}
/* When the ClientHello was seen (seconds since the capture's start). */
static inline double rp_tls_hello_t(const struct rp_flow *f)
{
	return f->t0 + f->count2 / 10.0;
}
/* dpi_thread.c: the collector's nDPI side (see its summary).  rf is the
 * record of the flow at idx (threaded, c->flows[idx]: verdicts go there). */
void rp_dpi_packet(struct rp_col *c, struct rp_flow *rf, const struct pkt *p, uint32_t idx);
void rp_dpi_flow_end(struct rp_col *c, struct rp_flow *rf, uint32_t idx);
/* At the pass's first packet: nDPI's work goes to the pass's reader thread
 * when it has one (run_sub.side: rp_dpi_side, rp_dpi_side_ready), else to
 * a thread of its own. */
void rp_dpi_begin(struct rp_col *c, const struct run *r);
bool rp_dpi_side(void *ctx);
bool rp_dpi_side_ready(void *ctx);
/* After the pass: every verdict in its flow, nDPI's thread ended, the
 * counters and c->dpi set.  Idempotent; the pass's end (rp_col_sub),
 * rp_build and rp_col_free call it. */
void rp_dpi_join(struct rp_col *c);
/* Flows left "other" by botlens's parsers get nDPI's protocol where botlens has one. */
void rp_dpi_apply(struct rp_col *c);
/* rp_dpi_apply for one record. */
void rp_dpi_apply_flow(struct rp_flow *rf);
/* The host's nDPI services and risks (flow counts) into h. */
void rp_dpi_host(const struct rp_ctx *x, struct rp_host *h);

/* proto_overnet.c: recovers Storm's XOR key from the sampled datagrams and
 * marks the flows that decode under it as Overnet (RPF_OV_XOR). */
void rp_overnet_xor(struct rp_col *c);

#endif
