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

#include "analysis/report.h"
#include "p2p/p2p.h"

#define RP_MAX_HOSTS 32    /* sandbox hosts and suspects explained per run */
#define RP_EV_MAX 20000
#define RP_EV_LEN 80
#define RP_PDNS_MAX 16384
#define RP_HASH 8192
#define RP_OV_SAMPLES 65536   /* Storm key recovery: one datagram per UDP flow, at most */

struct rp_ev_entry {
	struct rp_ev_entry *next;
	uint32_t host, count;
	uint8_t cat, len;
	char s[RP_EV_LEN];
};

struct rp_pdns_entry {
	struct rp_pdns_entry *next;
	uint8_t family, addr[16];
	char name[96];
};

struct rp_ov_sample {
	uint32_t flow;              /* index into flows */
	uint32_t src_ip;
	uint16_t src_port, len;
	uint8_t data[OV_SAMPLE_MAX];
};

#define RP_STATE_MAX 65536    /* live per-flow parser states */
#define RP_STATE_MEM (256u << 20) /* bytes declared by all of them */
#define RP_STATE_HASH 16384
#define RP_STATE_DPI 0x80000000u /* key bit of dpi.c's states: rp_state_put(c, idx | RP_STATE_DPI, ...) */
#define RP_DPI_LIVE 32768     /* live nDPI flow states (~700 bytes each and what they allocate) */
#define RP_TIMING_MAX (1u << 18) /* flows with payload timing (two payload packets or more) */

struct rp_state {
	struct rp_state *next;
	uint32_t idx;
	size_t bytes;
	void *p;
	void (*free_fn)(void *);
};

struct rp_timing2 {
	struct rp_timing d[2];
};

struct rp_col {
	struct rp_flow *flows;
	size_t nflows, cap;
	struct rp_ev_entry *ev[RP_HASH];
	size_t nev;
	struct rp_pdns_entry *pdns[RP_HASH];
	size_t npdns;
	struct rp_ov_sample *ov;    /* candidate Storm datagrams for key recovery */
	size_t nov, capov;
	struct rp_state *st[RP_STATE_HASH];
	size_t nst, st_bytes;
	uint64_t st_refused;        /* states refused at the caps: those flows got metadata only */
	struct rp_timing2 *tm;      /* payload timing, rp_flow.timing - 1 */
	size_t ntm, captm;
	const struct run *run;
	struct dpi *dpi;            /* nDPI, when rp_col_dpi() turned it on */
	size_t dpi_live;            /* nDPI flow states alive (<= RP_DPI_LIVE) */
	uint64_t dpi_refused;       /* flows nDPI did not see: past the bounds */
	bool oom;
};

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
	/* Appends the behaviors it finds to h (rp_beh_add). */
	void (*run)(const struct rp_ctx *x, struct rp_host *h);
};

extern const struct analysis *const rp_analyses[];
extern const size_t rp_nanalyses;

/* Helpers for detectors (report.c). */
struct rp_beh *rp_beh_add(struct rp_host *h, const char *kind, double start, double end, uint64_t flows);
void rp_kv_num(struct rp_beh *b, const char *key, double v);
void rp_kv_str(struct rp_beh *b, const char *key, const char *v);
/* Sets the behavior's evidence sentence (cut to fit). */
void rp_evidence(struct rp_beh *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The other endpoint's host of flow f as seen from the sandbox host. */
const struct host *rp_peer(const struct rp_ctx *x, const struct rp_flow *f);
bool rp_outbound(const struct rp_ctx *x, const struct rp_flow *f);
/* A port of an ordinary service (report.c): proto 6 TCP, else UDP. */
bool rp_service_port(uint8_t proto, uint16_t port);
/* Up to max evidence strings of (host, cat), most frequent first, joined by ", ". */
size_t rp_ev_join(const struct rp_col *c, uint32_t host, unsigned cat, unsigned max, char *buf, size_t len);
uint64_t rp_ev_total(const struct rp_col *c, uint32_t host, unsigned cat);
/* The count of the most frequent evidence string of (host, cat), 0 if none. */
uint64_t rp_ev_top_count(const struct rp_col *c, uint32_t host, unsigned cat);
const char *rp_pdns_name(const struct rp_col *c, uint8_t family, const uint8_t *addr);
/* Text helpers for detectors. */
bool rp_starts_ci(const uint8_t *p, size_t n, const char *word);
/* Copies the line at p (up to CR/LF) into rd-checked bounds; returns its length. */
size_t rp_line(const uint8_t *p, size_t n);

/* The payload timing of direction d of f, or NULL when it had one payload packet. */
const struct rp_timing *rp_timing_of(const struct rp_col *c, const struct rp_flow *f, int d);

/* dpi.c: the collector's nDPI side (see dpi.c's summary). */
void rp_dpi_packet(struct rp_col *c, struct rp_flow *rf, const struct pkt *p, uint32_t idx);
void rp_dpi_flow_end(struct rp_col *c, struct rp_flow *rf, uint32_t idx);
/* Flows left "other" by botlens's parsers get nDPI's protocol where botlens has one. */
void rp_dpi_apply(struct rp_col *c);
/* The host's nDPI services and risks (flow counts) into h. */
void rp_dpi_host(const struct rp_ctx *x, struct rp_host *h);

/* proto_overnet.c: recovers Storm's XOR key from the sampled datagrams and
 * marks the flows that decode under it as Overnet (RPF_OV_XOR). */
void rp_overnet_xor(struct rp_col *c);

#endif
