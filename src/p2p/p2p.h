/*
 * p2p.h - the P2P layer's one public header: the Overnet codec (the
 * protocol Storm Worm used), the Storm XOR variant, Kademlia IDs and
 * routing tables, the loopback botnet simulator, the crawler and the
 * size/churn estimates.  The library never prints or exits: functions
 * return a status and fill a caller-supplied error buffer.
 *
 * Wire format (mldonkey docs/overnet.txt; KadC overnet opcodes):
 *
 *   +------+--------+------------------------------------+
 *   | 0xE3 | opcode | body (integers little-endian)       |
 *   +------+--------+------------------------------------+
 *   PEER (23) = ID(16) | IPv4(4, a.b.c.d order) | port(2 LE) | kind(1)
 */
#ifndef BOTLENS_P2P_H
#define BOTLENS_P2P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OV_MAGIC 0xE3
#define OV_IDLEN 16
#define OV_PEERLEN 23
#define OV_CONTACTLEN 22       /* IdentifyReply: a PEER without the kind byte */
#define OV_XOR_KEYLEN 40
#define OV_MAXPKT 65507        /* largest UDP/IPv4 payload */

enum ov_op {
	OV_CONNECT = 0x0A,           /* PEER (sender) */
	OV_CONNECT_REPLY = 0x0B,     /* count(2) PEER*count */
	OV_PUBLICIZE = 0x0C,         /* PEER (sender) */
	OV_PUBLICIZE_ACK = 0x0D,     /* (empty) */
	OV_SEARCH = 0x0E,            /* kind(1) hash(16) */
	OV_SEARCH_NEXT = 0x0F,       /* hash(16) count(1) PEER*count */
	OV_SEARCH_INFO = 0x10,       /* hash(16) kind(1) min(2) max(2) */
	OV_SEARCH_RESULT = 0x11,     /* hash(16) id(16) ntags(4) tags */
	OV_SEARCH_END = 0x12,        /* hash(16) [a(2) b(2)]: mldonkey sends the hash only, KadC two counts */
	OV_PUBLISH = 0x13,           /* hash(16) id(16) ntags(4) tags */
	OV_PUBLISH_ACK = 0x14,       /* hash(16) */
	OV_IDENTIFY_REPLY = 0x15,    /* CONTACT (sender): ID(16) IPv4(4) port(2) */
	OV_IDENTIFY_ACK = 0x16,      /* tcp port(2) */
	OV_FIREWALL = 0x18,          /* hash(16) tcp port(2) */
	OV_FIREWALL_ACK = 0x19,      /* hash(16) */
	OV_FIREWALL_NACK = 0x1A,     /* hash(16) */
	OV_GETMYIP = 0x1B,           /* tcp port(2) */
	OV_GETMYIP_RESULT = 0x1C,    /* IPv4(4) */
	OV_GETMYIP_DONE = 0x1D,      /* (empty) */
	OV_IDENTIFY = 0x1E,          /* (empty) */
	OV_PEER_NOTFOUND = 0x21,     /* PEER */
};

/* Decode outcomes; names are "p2p.overnet.<x>" (ov_status_name). */
enum ov_status {
	OV_OK = 0,
	OV_ETRUNC,      /* the message ends early */
	OV_EMAGIC,      /* first byte is not 0xE3 */
	OV_EOPCODE,     /* opcode not in the table */
	OV_EINVALID,    /* bytes after the message, a bad tag type */
	OV_ESPACE,      /* encode: the output buffer is too small */
	OV_STATUS_COUNT
};

struct ov_peer {
	uint8_t id[OV_IDLEN];
	uint32_t ip;        /* host order: 127.0.0.1 = 0x7f000001 */
	uint16_t port;
	uint8_t kind;
};

/*
 * A decoded message.  Peer lists and tags point into the decoded buffer
 * (they are valid while it is): `peers` holds npeers records of 23 bytes
 * (read one with ov_peer_get), `tags` holds ntags tags in tags_len bytes.
 * For encoding, fill the same fields (peers may point at records made
 * with ov_peer_put).
 */
struct ov_msg {
	uint8_t op;
	uint8_t kind;              /* Search kind, SearchInfo kind */
	uint8_t hash[OV_IDLEN];    /* search/publish hash, firewall target */
	uint8_t id[OV_IDLEN];      /* SearchResult/Publish second hash */
	struct ov_peer peer;       /* Connect, Publicize, PeerNotFound, IdentifyReply (kind 0) */
	uint16_t a, b;             /* SearchInfo min/max, SearchEnd counts, ports */
	bool has_counts;           /* SearchEnd carries a and b */
	uint32_t ip;               /* GetMyIPResult */
	const uint8_t *peers;
	uint16_t npeers;
	const uint8_t *tags;
	size_t tags_len;
	uint32_t ntags;
};

/* Decodes one UDP payload (already XOR-decoded). Never reads past n. */
enum ov_status ov_decode(const uint8_t *buf, size_t n, struct ov_msg *m);
/* Encodes m into buf (cap bytes); returns the length, 0 when it does not fit or op is unknown. */
size_t ov_encode(const struct ov_msg *m, uint8_t *buf, size_t cap);
const char *ov_status_name(enum ov_status s);
/* "Connect", "SearchNext"... or NULL for an opcode not in the table. */
const char *ov_op_name(uint8_t op);
void ov_peer_get(const struct ov_msg *m, uint16_t i, struct ov_peer *p);
void ov_peer_put(uint8_t out[OV_PEERLEN], const struct ov_peer *p);

/* --- xor.c: the Storm variant: enc[i] = pkt[i] ^ key[i % 40] --- */
void ov_xor(uint8_t *buf, size_t n, const uint8_t key[OV_XOR_KEYLEN]);
/* Parses 80 hex digits. False when the text is not a 40-byte key. */
bool ov_xor_parse(const char *hex, uint8_t key[OV_XOR_KEYLEN]);
void ov_xor_format(const uint8_t key[OV_XOR_KEYLEN], char out[2 * OV_XOR_KEYLEN + 1]);

/*
 * Whether a UDP datagram is worth a sample for key recovery: Storm's
 * messages that carry known plaintext are 2 to OV_SAMPLE_MAX bytes, between
 * unprivileged ports.
 */
#define OV_SAMPLE_MAX 128
bool ov_xor_candidate(size_t len, uint16_t sport, uint16_t dport);

/* One observed encrypted datagram for key recovery. */
struct ov_sample {
	const uint8_t *data;
	size_t len;
	uint32_t src_ip;      /* sender's address and port from the IP/UDP headers, 0 if unknown */
	uint16_t src_port;
};
struct ov_keyguess {
	uint8_t key[OV_XOR_KEYLEN];
	uint64_t known;       /* bit i: key byte i recovered (by a majority of votes) */
	unsigned votes[OV_XOR_KEYLEN];
	double decode_rate;   /* fraction of samples that decode with the guessed key */
};
/*
 * Recovers a key from encrypted traffic with known plaintext: the magic
 * 0xE3 (byte 0), the opcode implied by the datagram's length, peer counts
 * implied by the length, the sender's address inside Connect/Publicize
 * (when src_ip is given) and the kind byte (0) of peer records.  Each
 * constraint votes for key[i % 40]; the byte with most votes wins.
 */
void ov_xor_recover(const struct ov_sample *s, size_t n, struct ov_keyguess *g);

/* --- kad.c: IDs, XOR distance, k-bucket routing table --- */
#define KAD_K 8
struct kad_contact {
	struct ov_peer p;
	uint32_t seen;        /* caller's clock when last inserted */
	uint8_t bucket;       /* kad_bucket(self, p.id), cached */
};
/*
 * Routing table of one node.  Invariants: no two contacts share an ID;
 * at most KAD_K contacts per bucket, where a contact's bucket is the
 * index of the highest bit in which its ID differs from self (0 = the
 * first bit, the far half of the ID space).
 */
struct kad_table {
	uint8_t self[OV_IDLEN];
	struct kad_contact *c;
	uint16_t n, cap;
};
int kad_bucket(const uint8_t a[OV_IDLEN], const uint8_t b[OV_IDLEN]);  /* -1 when equal */
/* <0, 0, >0 as a is closer to target than b (XOR metric, lexicographic). */
int kad_cmp(const uint8_t target[OV_IDLEN], const uint8_t a[OV_IDLEN], const uint8_t b[OV_IDLEN]);
void kad_init(struct kad_table *t, const uint8_t self[OV_IDLEN]);
void kad_free(struct kad_table *t);
/* Inserts or refreshes; a full bucket drops its least recently seen contact. False on OOM. */
bool kad_insert(struct kad_table *t, const struct ov_peer *p, uint32_t now);
/* The n closest contacts to target, closest first; returns how many. */
unsigned kad_closest(const struct kad_table *t, const uint8_t target[OV_IDLEN], struct ov_peer *out,
		     unsigned n);
/* Changes self and re-buckets every contact (a node that took a new ID). */
void kad_rekey(struct kad_table *t, const uint8_t self[OV_IDLEN], uint32_t now);
void kad_id_hex(const uint8_t id[OV_IDLEN], char out[2 * OV_IDLEN + 1]);
bool kad_id_parse(const char *hex, uint8_t id[OV_IDLEN]);

/* --- sim.c: a Storm-like overlay on loopback --- */
/* Where a run stands: the truth's summary line. */
struct sim_status {
	double elapsed, duration;  /* seconds */
	unsigned online, reachable, nat_online, sybils;
	uint64_t rx, tx;
	bool done;
};
struct sim_cfg {
	unsigned peers;           /* bots */
	double online_frac;       /* steady-state fraction online */
	double nat_frac;          /* fraction behind NAT */
	bool churn;               /* false: nobody changes state */
	double weibull_k, weibull_scale;   /* session length ~ Weibull(k, scale s) */
	double id_change;         /* probability of a new ID on restart */
	double duration;          /* seconds */
	unsigned sybils;          /* sybil IDs, all on one address */
	bool xor_on;
	uint8_t key[OV_XOR_KEYLEN];
	uint64_t seed;
	uint8_t net;              /* peers live in 127.<net>.0.0/16 (1..254) */
	const char *bootstrap_path;   /* written (atomically) once every socket is up; NULL = none */
	volatile int *stop;       /* set by a signal handler to end early */
	/* Called after each summary (once a second, and at the end); NULL = none. */
	void (*progress)(void *ctx, const struct sim_status *st);
	void *progress_ctx;
};
void sim_cfg_default(struct sim_cfg *c);
/* Runs the overlay, writing truth as JSON lines to `truth`. 0, or -1 with err. */
int sim_run(const struct sim_cfg *c, FILE *truth, char *err, size_t errlen);

/* --- crawl.c: the iterative crawler --- */
struct crawl_addr {
	uint32_t ip;
	uint16_t port;
};
struct crawl_cfg {
	const struct crawl_addr *boot;
	unsigned nboot;
	bool xor_on;
	uint8_t key[OV_XOR_KEYLEN];
	unsigned rounds;
	double interval;          /* seconds between round starts */
	double timeout;           /* seconds before a retry */
	unsigned retries;
	double rate;              /* packets per second, token bucket */
	unsigned queries;         /* targeted searches per responsive peer */
	bool allow_remote;
	uint64_t seed;
	volatile int *stop;
};
struct crawl_stats {
	unsigned crawl;
	double start, end;        /* epoch seconds */
	uint64_t sent, recv, bad, retries;
	unsigned known, responsive;
};
void crawl_cfg_default(struct crawl_cfg *c);
/* True for 127.0.0.0/8. */
bool crawl_addr_loopback(uint32_t ip);
/* Parses "A.B.C.D:PORT". */
bool crawl_addr_parse(const char *s, struct crawl_addr *a);
/*
 * Crawls cfg->rounds times, writing each snapshot as JSON lines to out
 * (one "crawl" line, then one line per (peer ID, address, port), with the
 * times every Identify to the address was sent).
 * on_round, when set, is called after each round.  0, or -1 with err.
 */
int crawl_run(const struct crawl_cfg *c, FILE *out,
	      void (*on_round)(void *ctx, const struct crawl_stats *s), void *ctx, char *err, size_t errlen);

/* --- size.c: effective size, total size, churn, aliasing, sybils --- */
struct size_crawl {
	double start, end;
	unsigned known;           /* distinct (ID, address, port) seen */
	unsigned responsive_ids, responsive_addrs;   /* effective size by ID and by address */
	unsigned unresponsive_addrs;   /* advertised, never answered: NAT, firewall or offline */
	unsigned joined, left, returned;   /* by address, against the previous crawl */
	unsigned id_joined, id_left;
	unsigned sybil_ids;       /* responsive IDs on suspected sybil hosts */
	/*
	 * Against a truth file (when given; else -1); definitions in size.c
	 * (analyse_truth).  "At probe": a reachable bot counts when it was
	 * online at the instant one of the crawler's Identify requests to its
	 * address was sent in this crawl (the snapshot's "probes"); "during":
	 * online at some time in [start, end].
	 */
	long truth_reachable;         /* reachable bots online at probe time (effective-size truth) */
	long truth_joined, truth_left;   /* churn of the at-probe sets against the previous crawl */
	long truth_unprobed;          /* counted in truth_reachable, address never probed (online during) */
	long truth_missed;            /* in truth_reachable, not found responsive */
	long truth_false;             /* found responsive, offline at probe time per the truth */
	long truth_reachable_during;  /* reachable bots online at some time during the crawl */
	long truth_joined_during, truth_left_during;
	long truth_online, truth_nat; /* bots (all, NAT'd) online during the crawl */
	long truth_stable;            /* reachable bots online throughout the crawl */
	long found_stable;            /* truth_stable peers found responsive */
	long nat_invisible;           /* NAT'd bots online during the crawl it could not see */
};
struct size_report {
	struct size_crawl *c;
	unsigned n;
	unsigned total_ids, total_addrs;      /* distinct responsive over all crawls */
	unsigned aliased_addrs;               /* addresses that answered with more than one ID */
	unsigned max_ids_per_addr;
	unsigned sybil_hosts;                 /* IPs with >= SIZE_SYBIL_IDS responsive IDs in one crawl */
	unsigned sybil_clusters;              /* groups of >= 3 IDs sharing a 32-bit prefix */
	bool have_truth;
	long truth_total_ids;
};
#define SIZE_SYBIL_IDS 4
/* Reads crawl snapshots (and truth, may be NULL). 0, or -1 with err (bad input, out of memory). */
int size_analyse(FILE *crawls, FILE *truth, struct size_report *r, char *err, size_t errlen);
void size_report_free(struct size_report *r);
/* Tests: the nth allocation of size.c from now fails (0: off). */
void size_alloc_fail_at(unsigned long n);

/* Passive counter: distinct Overnet peers in a capture. */
struct size_passive {
	struct size_passive_bin { double t; unsigned peers, new_peers, msgs; } *bins;
	unsigned nbins, cap;
	double bin;               /* seconds */
	uint64_t msgs, bad;
	unsigned distinct;
	bool failed;              /* out of memory: the counts are incomplete */
	void *set;                /* internal */
	bool xor_on;
	uint8_t key[OV_XOR_KEYLEN];
};
/* 0, or -1 (and s->failed) out of memory; size_passive_free is safe either way. */
int size_passive_init(struct size_passive *s, double bin);
/* Feeds one UDP payload seen at time t (seconds) from/to a remote endpoint. 0, or -1 out of memory. */
int size_passive_add(struct size_passive *s, double t, uint32_t ip, uint16_t port, const uint8_t *data,
		     size_t len);
void size_passive_free(struct size_passive *s);

#endif
