/*
 * build.h - internal packet builders of the synthetic runs (not public:
 * only src/synth/ includes it).
 *
 * A scenario drives a struct build_ctx: it declares the local hosts (the
 * sandboxed machine and its gateway, with MAC addresses), opens sessions
 * (one logical conversation each, labelled with a behaviour kind) and emits
 * frames into them with absolute timestamps in microseconds since the
 * capture start.  Sessions are generated one after the other, so frames
 * are kept in memory and sorted by (time, emission order) before writing.
 *
 * Invariants of the frame store:
 *   - every frame is a complete Ethernet II frame with correct IPv4, TCP,
 *     UDP and ICMP checksums, padded to the 60-byte Ethernet minimum;
 *   - frames stamped after ctx->end_us are dropped (the capture stops
 *     there, cutting what is in flight, as a real sandbox capture does);
 *   - each IP frame records its 5-tuple and session, so synth.c can
 *     derive the ground-truth flows and check that every session maps to
 *     exactly one flow under the inactivity timeouts.
 *
 * Memory: one sticky failure flag.  A failed allocation sets ctx->oom,
 * later emissions are ignored and synth_run() reports "out of memory".
 */
#ifndef BOTLENS_SYNTH_BUILD_H
#define BOTLENS_SYNTH_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synth/rng.h"

#define BUILD_IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define BUILD_SEC(s) ((int64_t)((s) * 1000000.0))   /* seconds -> microseconds */
#define BUILD_MS(ms) ((int64_t)((ms) * 1000.0))
#define BUILD_EPOCH_S 1207044000   /* capture start: 2008-04-01T10:00:00Z */
#define BUILD_NOSESS UINT32_MAX                      /* frames outside any flow (ARP) */
#define BUILD_MAX_LOCAL 4

/* Behaviour kinds: the "kind" of truth behaviours and flows (names in build.c). */
enum build_kind {
	KIND_TIME_SYNC, KIND_DNS, KIND_P2P, KIND_CNC_BEACON, KIND_SPAM, KIND_HTTP,
	KIND_TLS, KIND_RELAY, KIND_SERVER, KIND_PING, KIND_COUNT
};
extern const char *const build_kind_names[KIND_COUNT];

/* Host roles: the "role" of truth hosts. */
enum build_role {
	ROLE_INFECTED, ROLE_WORKSTATION, ROLE_GATEWAY, ROLE_NTP_SERVER, ROLE_P2P_PEER,
	ROLE_CNC_PROXY, ROLE_MAIL_SERVER, ROLE_WEB_SERVER, ROLE_WEB_CLIENT, ROLE_BACKEND,
	ROLE_COUNT
};
extern const char *const build_role_names[ROLE_COUNT];

/* IP protocol numbers. */
enum { BUILD_ICMP = 1, BUILD_TCP = 6, BUILD_UDP = 17 };

/* TCP flags (RFC 793 section 3.1). */
enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_RST = 0x04, TH_PSH = 0x08, TH_ACK = 0x10 };

struct build_pkt {
	int64_t ts_us;
	uint32_t seq;          /* emission order, breaks timestamp ties */
	uint32_t off;          /* frame bytes at ctx->bytes + off */
	uint16_t len;
	uint8_t proto;         /* BUILD_TCP/UDP/ICMP, 0 for non-IP */
	uint32_t sess;         /* BUILD_NOSESS for non-IP */
	uint32_t src, dst;     /* host byte order */
	uint16_t sport, dport; /* ICMP: echo identifier in both */
};

struct build_local {
	uint32_t ip;
	uint8_t mac[6];
	uint8_t ttl;           /* initial TTL of its stack (Windows 128, Linux 64) */
	uint16_t ipid;         /* next IP identification (one counter per host) */
};

struct build_hostset {         /* open addressing, ip 0 = empty slot */
	uint32_t *ip;
	uint8_t *role;
	size_t n, cap;
};

struct build_ctx {
	struct rng rng;
	int64_t end_us;
	struct build_local local[BUILD_MAX_LOCAL];
	int nlocal;
	int gw;                /* index of the gateway in local[] */
	uint16_t eport;        /* next ephemeral port */
	uint16_t eport_lo, eport_hi;
	uint8_t *bytes;
	size_t nbytes, capbytes;
	struct build_pkt *pkts;
	size_t npkts, cappkts;
	uint8_t *sess_kind;
	uint32_t nsess, capsess;
	struct build_hostset hosts;
	const uint8_t *ov_key;  /* XOR key for Overnet datagrams (40 bytes), or NULL */
	bool oom;
};

/* --- build.c: context, hosts, link/network/transport framing --- */
int build_init(struct build_ctx *c, uint64_t seed, int64_t end_us);
void build_free(struct build_ctx *c);
int build_add_local(struct build_ctx *c, uint32_t ip, const uint8_t mac[6], uint8_t ttl,
		    enum build_role role);
uint32_t build_session(struct build_ctx *c, enum build_kind kind);
void build_set_role(struct build_ctx *c, uint32_t ip, enum build_role role);
int build_role_of(const struct build_ctx *c, uint32_t ip);   /* -1 if unknown */
long build_host_slot(const struct build_ctx *c, uint32_t ip); /* index < hosts.cap, or -1 */
uint32_t build_public_ip(struct build_ctx *c, enum build_role role);
uint32_t build_ip_in(struct build_ctx *c, uint32_t net, int bits, enum build_role role);
uint16_t build_eport(struct build_ctx *c);
void build_arp(struct build_ctx *c, int64_t t, int from, uint32_t target, bool reply,
	       const uint8_t target_mac[6]);
void build_udp(struct build_ctx *c, uint32_t sess, int64_t t, uint32_t src, uint16_t sport,
	       uint32_t dst, uint16_t dport, const void *data, size_t len);
void build_tcp_seg(struct build_ctx *c, uint32_t sess, int64_t t, uint32_t src, uint16_t sport,
		   uint32_t dst, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		   uint16_t win, const void *data, size_t len);
void build_icmp_echo(struct build_ctx *c, uint32_t sess, int64_t t, uint32_t src,
		     uint32_t dst, bool reply, uint16_t id, uint16_t seq, const void *data,
		     size_t len);

/* --- build_tcp.c: one TCP connection seen from the capture point --- */
struct build_tcp {
	struct build_ctx *c;
	uint32_t sess;
	uint32_t ip[2];        /* [0] client (sends the SYN), [1] server */
	uint16_t port[2];
	uint32_t nxt[2];       /* next sequence number each side sends */
	uint16_t win[2];
	int local;             /* side at the capture point (0 or 1) */
	int64_t t;             /* time of the last frame of the conversation */
	int64_t rtt;           /* round trip between capture point and remote */
	int64_t seg_gap;       /* spacing of back-to-back full segments */
	uint16_t mss;
	int last;              /* side that sent the last data, -1 none */
	int owe;               /* side owing an ACK, -1 none */
	int64_t owe_t;         /* when that ACK would go out if nothing is sent */
	bool closed;
};

void build_tcp_init(struct build_tcp *s, struct build_ctx *c, enum build_kind kind,
		    uint32_t cip, uint16_t cport, uint32_t sip, uint16_t sport, int local,
		    int64_t t, int64_t rtt);
void build_tcp_handshake(struct build_tcp *s);
void build_tcp_send(struct build_tcp *s, int side, const void *data, size_t len, int64_t think);
void build_tcp_close(struct build_tcp *s, int side, int64_t think);
void build_tcp_reset(struct build_tcp *s, int side, int64_t think);
void build_tcp_refused(struct build_tcp *s);
void build_tcp_noanswer(struct build_tcp *s, int tries);

/* --- build_app.c: application payloads over UDP and TCP --- */
struct build_dns_rr {
	const char *name;      /* NULL = the question name */
	uint16_t type;         /* 1 A, 5 CNAME, 15 MX */
	uint32_t ttl;
	uint32_t a;            /* A */
	uint16_t pref;         /* MX */
	const char *target;    /* MX exchange, CNAME target */
};

enum { DNS_A = 1, DNS_CNAME = 5, DNS_MX = 15, DNS_NXDOMAIN = 3 };

struct build_dns {
	uint16_t id;
	uint8_t rcode;
	const char *qname;
	uint16_t qtype;
	const struct build_dns_rr *an, *ar;
	int nan, nar;
};

size_t build_dns_msg(uint8_t *buf, size_t cap, const struct build_dns *m, bool response);
int64_t build_dns_lookup(struct build_ctx *c, int64_t t, enum build_kind kind, uint32_t client,
			 uint32_t resolver, const struct build_dns *m, int64_t latency);
void build_ntp_exchange(struct build_ctx *c, uint32_t sess, int64_t t, uint32_t client,
			uint16_t cport, uint32_t server, int64_t rtt, uint32_t refid);

enum { BUILD_BODY_HTML, BUILD_BODY_EXE, BUILD_BODY_BINARY, BUILD_BODY_JPEG, BUILD_BODY_GIF,
       BUILD_BODY_PNG };

struct build_http {
	const char *method, *host, *path, *agent;
	const char *ctype;     /* response Content-Type */
	int status;            /* 200, 404, 302... */
	size_t req_body;       /* POST body length (binary), 0 for none */
	size_t resp_body;
	int body_style;        /* BUILD_BODY_* */
	bool keepalive;
};
void build_http_request(struct build_tcp *s, const struct build_http *h, int64_t think);
void build_http_response(struct build_tcp *s, const struct build_http *h, int64_t think);
void build_http_exchange(struct build_tcp *s, const struct build_http *h, int64_t think,
			 int64_t server_think);

struct build_smtp {
	const char *server_name, *helo, *from, *rcpt;
	const char *subject;
	size_t body_len;
	int outcome;           /* 0 accepted, 1 550 at RCPT TO, 2 554 banner */
};
void build_smtp_dialogue(struct build_tcp *s, const struct build_smtp *m);

void build_tls_session(struct build_tcp *s, const char *sni, int requests, size_t resp_len,
		       bool resume);

/* --- build_overnet.c: Overnet (eDonkey 0xE3) UDP messages --- */
enum {
	OVERNET_PROTO = 0xE3,
	OVERNET_CONNECT = 0x0A, OVERNET_CONNECT_REPLY = 0x0B, OVERNET_PUBLICIZE = 0x0C,
	OVERNET_PUBLICIZE_ACK = 0x0D, OVERNET_SEARCH = 0x0E, OVERNET_SEARCH_NEXT = 0x0F,
	OVERNET_SEARCH_INFO = 0x10, OVERNET_SEARCH_RESULT = 0x11, OVERNET_SEARCH_END = 0x12,
	OVERNET_PUBLISH = 0x13, OVERNET_PUBLISH_ACK = 0x14,
};

struct build_ovpeer {
	uint8_t id[16];
	uint32_t ip;
	uint16_t port;
	uint8_t kind;
};

size_t build_ov_hello(uint8_t *buf, uint8_t op, const struct build_ovpeer *self);
size_t build_ov_connect_reply(uint8_t *buf, const struct build_ovpeer *peers, int n);
size_t build_ov_bare(uint8_t *buf, uint8_t op);
size_t build_ov_search(uint8_t *buf, uint8_t type, const uint8_t hash[16]);
size_t build_ov_search_next(uint8_t *buf, const uint8_t hash[16], const struct build_ovpeer *peers,
			    int n);
size_t build_ov_search_info(uint8_t *buf, const uint8_t hash[16], uint16_t min, uint16_t max);
size_t build_ov_search_result(uint8_t *buf, size_t cap, const uint8_t hash[16],
			      const uint8_t id[16], const char *name, uint32_t size);
size_t build_ov_search_end(uint8_t *buf, const uint8_t hash[16], uint16_t a, uint16_t b);
size_t build_ov_publish(uint8_t *buf, size_t cap, const uint8_t hash[16], const uint8_t id[16],
			const char *name, uint32_t size);
size_t build_ov_publish_ack(uint8_t *buf, const uint8_t hash[16]);

/* --- names.c: made-up but plausible names --- */
void build_word(struct rng *r, char *out, size_t len, int min_syl, int max_syl);
void build_domain(struct rng *r, char *out, size_t len);
void build_mailbox(struct rng *r, char *out, size_t len, const char *domain);

/* --- scenarios (scenario_*.c) --- */
struct synth_scenario {
	const char *name;
	const char *desc;
	double default_duration;
	bool overnet;             /* speaks Overnet: an XOR key applies */
	void (*generate)(struct build_ctx *c);
};

extern const struct synth_scenario synth_storm_private, synth_storm_public,
	synth_benign_browsing;

#endif
