/*
 * crawl.c - the iterative Overnet crawler (after Holz et al., LEET 2008).
 *
 * One crawl: every known address gets an Identify (0x1E); the reply
 * (IdentifyReply, 0x15) proves it alive and names its current ID.  A
 * live peer then gets `queries` Searches (0x0E) for targets built from
 * its own ID with bit q flipped (q = 0, 1, ...): the 4 contacts it
 * returns for target q come from its bucket q, so the searches walk its
 * whole routing table.  Every returned peer record is a new address to
 * identify.  The crawl ends when nothing is queued or awaiting a reply:
 * no new peers appear.  Identify is retried `retries` times after
 * `timeout` seconds; an address that never answers is "unresponsive"
 * (NAT, firewall or offline: a crawler cannot tell which).
 *
 * Sending is paced by a token bucket (`rate` packets/s).  The crawler
 * sends no Connect or Publicize, so it never enters the routing tables
 * it measures.  Unless allow_remote, every target outside 127.0.0.0/8 is
 * dropped before it is queued.
 *
 * Snapshot (JSON lines per crawl): a "crawl" line with counters, then
 * one line per (ID, address, port): t (reply time, or when the address
 * was given up), id, addr, port, responsive, and probes: the epoch
 * seconds at which each Identify to the address was sent, oldest first
 * ([] when none was, e.g. a crawl stopped by a signal).  The probe times
 * let the evaluation ask the truth about the very instants the crawler
 * looked (size.c).
 * An address that answered with ID X and was advertised by others with
 * old IDs Y gives a responsive X line and unresponsive Y lines (stale
 * aliases after an ID change).
 */
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "p2p/p2p-int.h"
#include "p2p/p2p.h"
#include "util/hash.h"
#include "util/jsonout.h"

#define ADV_MAX 4

enum { N_NEW, N_WAIT, N_ALIVE, N_DEAD };

struct cnode {
	uint32_t ip;
	uint16_t port;
	uint8_t state, tries, nadv;
	bool have_id;
	uint8_t id[OV_IDLEN];
	uint8_t adv[ADV_MAX][OV_IDLEN];
	double t;                 /* reply time, or when given up */
	uint32_t plast;           /* its latest entry in the probe log + 1 (0: never probed) */
};

struct probe {                /* one Identify sent: when, and the node's previous one */
	double t;
	uint32_t prev;            /* index + 1, 0 = the first */
};

struct job {                  /* a packet to send: q < 0 Identify, else Search q */
	uint32_t node;
	int q;
};

struct pend {
	uint32_t node;
	double deadline;
};

struct crawler {
	const struct crawl_cfg *cfg;
	int fd;
	struct p2p_rng rng;
	struct cnode *n;
	uint32_t nn, capn;
	uint32_t *hash;           /* node index + 1, 0 = empty */
	uint32_t hcap;
	struct job *jobs;
	size_t jhead, jtail, jcap;
	struct pend *pend;
	size_t phead, ptail, pcap;
	struct probe *plog;       /* every Identify of this crawl, linked per node */
	size_t nplog, capplog;
	bool oom;                 /* a queue could not grow: the crawl is incomplete */
	double tokens, last;
	struct crawl_stats st;
	uint8_t buf[OV_MAXPKT + 1];
};

void crawl_cfg_default(struct crawl_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->rounds = 1;
	c->interval = 60;
	c->timeout = 1.0;
	c->retries = 2;
	c->rate = 5000;
	c->queries = 16;
	c->seed = 1;
}

bool crawl_addr_loopback(uint32_t ip)
{
	return (ip >> 24) == 127;
}

bool crawl_addr_parse(const char *s, struct crawl_addr *a)
{
	unsigned b[4], port;
	char tail;
	if (sscanf(s, "%u.%u.%u.%u:%u%c", &b[0], &b[1], &b[2], &b[3], &port, &tail) != 5)
		return false;
	if (b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255 || port == 0 || port > 65535)
		return false;
	a->ip = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	a->port = (uint16_t)port;
	return true;
}

static uint32_t hkey(uint32_t ip, uint16_t port)
{
	uint64_t k = ((uint64_t)ip << 16 | port) * 0x9E3779B97F4A7C15ull;
	return (uint32_t)(k >> 32);
}

static bool job_push(struct crawler *c, uint32_t node, int q)
{
	if (c->jtail == c->jcap && c->jhead > 0) {
		memmove(c->jobs, c->jobs + c->jhead, (c->jtail - c->jhead) * sizeof *c->jobs);
		c->jtail -= c->jhead;
		c->jhead = 0;
	}
	if (!grow_to((void **)&c->jobs, &c->jcap, c->jtail + 1, sizeof *c->jobs, 1024)) {
		c->oom = true;
		return false;
	}
	c->jobs[c->jtail++] = (struct job){ node, q };
	return true;
}

static bool pend_push(struct crawler *c, uint32_t node, double deadline)
{
	if (c->ptail == c->pcap && c->phead > 0) {
		memmove(c->pend, c->pend + c->phead, (c->ptail - c->phead) * sizeof *c->pend);
		c->ptail -= c->phead;
		c->phead = 0;
	}
	if (!grow_to((void **)&c->pend, &c->pcap, c->ptail + 1, sizeof *c->pend, 1024)) {
		c->oom = true;
		return false;
	}
	c->pend[c->ptail++] = (struct pend){ node, deadline };
	return true;
}

static bool hash_rebuild(struct crawler *c, uint32_t cap)
{
	uint32_t *h = calloc(cap, sizeof *h);
	if (!h)
		return false;
	for (uint32_t i = 0; i < c->nn; i++) {
		uint32_t k = hkey(c->n[i].ip, c->n[i].port) & (cap - 1);
		while (h[k])
			k = (k + 1) & (cap - 1);
		h[k] = i + 1;
	}
	free(c->hash);
	c->hash = h;
	c->hcap = cap;
	return true;
}

/* The node for ip:port; created (and queued for Identify) when create. UINT32_MAX if none. */
static uint32_t node_get(struct crawler *c, uint32_t ip, uint16_t port, bool create)
{
	uint32_t k = hkey(ip, port) & (c->hcap - 1);
	while (c->hash[k]) {
		struct cnode *n = &c->n[c->hash[k] - 1];
		if (n->ip == ip && n->port == port)
			return c->hash[k] - 1;
		k = (k + 1) & (c->hcap - 1);
	}
	if (!create || (!c->cfg->allow_remote && !crawl_addr_loopback(ip)) || port == 0)
		return UINT32_MAX;
	size_t capn = c->capn;
	if (!grow_to((void **)&c->n, &capn, (size_t)c->nn + 1, sizeof *c->n, 1024)) {
		c->oom = true;
		return UINT32_MAX;
	}
	c->capn = (uint32_t)capn;
	uint32_t i = c->nn++;
	memset(&c->n[i], 0, sizeof c->n[i]);
	c->n[i].ip = ip;
	c->n[i].port = port;
	c->hash[k] = i + 1;
	if (2 * c->nn > c->hcap && !hash_rebuild(c, c->hcap * 2)) {
		c->oom = true;
		return UINT32_MAX;
	}
	job_push(c, i, -1);
	return i;
}

static void node_adv(struct cnode *n, const uint8_t id[OV_IDLEN])
{
	for (unsigned i = 0; i < n->nadv; i++)
		if (!memcmp(n->adv[i], id, OV_IDLEN))
			return;
	if (n->nadv < ADV_MAX)
		memcpy(n->adv[n->nadv++], id, OV_IDLEN);
}

static void crawl_send(struct crawler *c, struct job j)
{
	struct cnode *n = &c->n[j.node];
	struct ov_msg m = { 0 };
	if (j.q < 0) {
		double now = p2p_now();
		m.op = OV_IDENTIFY;
		n->state = N_WAIT;
		if (n->tries < UINT8_MAX)
			n->tries++;
		pend_push(c, j.node, now + c->cfg->timeout);
		if (!grow_to((void **)&c->plog, &c->capplog, c->nplog + 1, sizeof *c->plog, 1024)) {
			c->oom = true;
		} else {
			c->plog[c->nplog++] = (struct probe){ now, n->plast };
			n->plast = (uint32_t)c->nplog;
		}
	} else {
		m.op = OV_SEARCH;
		m.kind = 0x14;  /* node lookup (KadC OVERNET_FIND_SELF) */
		memcpy(m.hash, n->id, OV_IDLEN);
		unsigned q = (unsigned)j.q % 128;
		m.hash[q / 8] ^= (uint8_t)(0x80 >> (q % 8));
		for (unsigned b = q + 1; b < 128; b++)
			if (p2p_rand(&c->rng) & 1)
				m.hash[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
	}
	size_t len = ov_encode(&m, c->buf, sizeof c->buf);
	if (c->cfg->xor_on)
		ov_xor(c->buf, len, c->cfg->key);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(n->port),
				  .sin_addr.s_addr = htonl(n->ip) };
	if (sendto(c->fd, c->buf, len, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)len)
		c->st.sent++;
}

/* Handles one datagram from ip:port. */
static void crawl_input(struct crawler *c, size_t len, uint32_t ip, uint16_t port)
{
	struct ov_msg m;
	c->st.recv++;
	if (c->cfg->xor_on)
		ov_xor(c->buf, len, c->cfg->key);
	if (ov_decode(c->buf, len, &m) != OV_OK) {
		c->st.bad++;
		return;
	}
	if (m.op == OV_IDENTIFY_REPLY) {
		uint32_t i = node_get(c, ip, port, false);
		if (i == UINT32_MAX || c->n[i].state == N_ALIVE)
			return;
		struct cnode *n = &c->n[i];
		n->state = N_ALIVE;
		n->have_id = true;
		n->t = p2p_now();
		memcpy(n->id, m.peer.id, OV_IDLEN);
		for (unsigned q = 0; q < c->cfg->queries; q++)
			job_push(c, i, (int)q);
	} else if (m.op == OV_SEARCH_NEXT || m.op == OV_CONNECT_REPLY) {
		for (uint16_t k = 0; k < m.npeers; k++) {
			struct ov_peer p;
			ov_peer_get(&m, k, &p);
			uint32_t i = node_get(c, p.ip, p.port, true);
			if (i != UINT32_MAX)
				node_adv(&c->n[i], p.id);
		}
	}
}

static void crawl_recv(struct crawler *c)
{
	for (int k = 0; k < 4096; k++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(c->fd, c->buf, sizeof c->buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		crawl_input(c, (size_t)n, ntohl(from.sin_addr.s_addr), ntohs(from.sin_port));
	}
}

static void crawl_timeouts(struct crawler *c, double now)
{
	while (c->phead < c->ptail && c->pend[c->phead].deadline <= now) {
		struct cnode *n = &c->n[c->pend[c->phead++].node];
		if (n->state != N_WAIT)
			continue;
		if (n->tries <= c->cfg->retries) {
			c->st.retries++;
			job_push(c, (uint32_t)(n - c->n), -1);
		} else {
			n->state = N_DEAD;
			n->t = now;
		}
	}
}

/* One crawl to quiescence: nothing queued, nothing awaiting a reply. */
static void crawl_round(struct crawler *c)
{
	double burst = c->cfg->rate / 20 > 32 ? c->cfg->rate / 20 : 32;
	c->last = p2p_now();
	c->tokens = burst;
	while (!(c->cfg->stop && *c->cfg->stop)) {
		double now = p2p_now();
		c->tokens += (now - c->last) * c->cfg->rate;
		if (c->tokens > burst)
			c->tokens = burst;
		c->last = now;
		crawl_timeouts(c, now);
		while (c->tokens >= 1 && c->jhead < c->jtail) {
			crawl_send(c, c->jobs[c->jhead++]);
			c->tokens -= 1;
		}
		if (c->jhead == c->jtail && c->phead == c->ptail)
			break;
		double wait = c->jhead < c->jtail ? (1 - c->tokens) / c->cfg->rate : 1.0;
		if (c->phead < c->ptail && c->pend[c->phead].deadline - now < wait)
			wait = c->pend[c->phead].deadline - now;
		int ms = wait <= 0 ? 0 : (int)(wait * 1000) + 1;
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		if (poll(&pfd, 1, ms) > 0)
			crawl_recv(c);
	}
	/* late replies that arrived with the last timeout */
	crawl_recv(c);
}

/* The node's probe times, oldest first, as a JSON array (at most UINT8_MAX of them). */
static json_object *probes_json(const struct crawler *c, const struct cnode *n)
{
	double t[UINT8_MAX];
	unsigned k = 0;
	for (uint32_t e = n->plast; e && k < UINT8_MAX; e = c->plog[e - 1].prev)
		t[k++] = c->plog[e - 1].t;
	json_object *a = json_object_new_array();
	while (k-- > 0)
		json_object_array_add(a, jo_num(t[k], "%.6f"));
	return a;
}

/* One snapshot line: a node (address) and one ID it answered with or was advertised under. */
static void snap_line(FILE *out, unsigned crawl, const struct cnode *n, const uint8_t *id, bool resp,
		      json_object *probes)
{
	char ip[16], hex[33];
	p2p_ip_str(n->ip, ip);
	if (id)
		kad_id_hex(id, hex);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "crawl", json_object_new_int64(crawl));
	json_object_object_add(o, "t", jo_num(n->t, "%.3f"));
	json_object_object_add(o, "id", id ? json_object_new_string(hex) : NULL);
	json_object_object_add(o, "addr", json_object_new_string(ip));
	json_object_object_add(o, "port", json_object_new_int64(n->port));
	json_object_object_add(o, "responsive", json_object_new_boolean(resp));
	json_object_object_add(o, "probes", json_object_get(probes));
	jo_line(out, o);
}

static void crawl_write(struct crawler *c, FILE *out)
{
	struct crawl_stats *s = &c->st;
	s->known = c->nn;
	s->responsive = 0;
	for (uint32_t i = 0; i < c->nn; i++)
		s->responsive += c->n[i].state == N_ALIVE;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string("crawl"));
	json_object_object_add(o, "crawl", json_object_new_int64(s->crawl));
	json_object_object_add(o, "start", jo_num(s->start, "%.3f"));
	json_object_object_add(o, "end", jo_num(s->end, "%.3f"));
	json_object_object_add(o, "known", json_object_new_int64(s->known));
	json_object_object_add(o, "responsive", json_object_new_int64(s->responsive));
	json_object_object_add(o, "sent", json_object_new_uint64(s->sent));
	json_object_object_add(o, "recv", json_object_new_uint64(s->recv));
	json_object_object_add(o, "bad", json_object_new_uint64(s->bad));
	json_object_object_add(o, "retries", json_object_new_uint64(s->retries));
	jo_line(out, o);
	for (uint32_t i = 0; i < c->nn; i++) {
		const struct cnode *n = &c->n[i];
		json_object *probes = probes_json(c, n);
		if (n->have_id)
			snap_line(out, s->crawl, n, n->id, true, probes);
		for (unsigned a = 0; a < n->nadv; a++)
			if (!n->have_id || memcmp(n->adv[a], n->id, OV_IDLEN))
				snap_line(out, s->crawl, n, n->adv[a], false, probes);
		if (!n->have_id && !n->nadv)
			snap_line(out, s->crawl, n, NULL, false, probes);
		json_object_put(probes);
	}
	fflush(out);
}

/* Resets the node table, seeded by the bootstrap list and the last crawl's live peers. */
static bool crawl_reset(struct crawler *c)
{
	struct crawl_addr *seed = NULL;
	size_t ns = 0, cap = 0;
	for (uint32_t i = 0; i < c->nn; i++) {
		if (c->n[i].state != N_ALIVE)
			continue;
		if (!grow_to((void **)&seed, &cap, ns + 1, sizeof *seed, 1024)) {
			free(seed);
			return false;
		}
		seed[ns++] = (struct crawl_addr){ c->n[i].ip, c->n[i].port };
	}
	c->nn = 0;
	c->jhead = c->jtail = c->phead = c->ptail = 0;
	c->nplog = 0;
	memset(c->hash, 0, c->hcap * sizeof *c->hash);
	for (unsigned i = 0; i < c->cfg->nboot; i++)
		node_get(c, c->cfg->boot[i].ip, c->cfg->boot[i].port, true);
	for (size_t i = 0; i < ns; i++)
		node_get(c, seed[i].ip, seed[i].port, true);
	free(seed);
	return true;
}

static int crawl_socket(struct crawler *c, char *err, size_t len)
{
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		snprintf(err, len, "socket: %s", strerror(errno));
		return -1;
	}
	int sz = 16 << 20;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(c->cfg->allow_remote ? INADDR_ANY : INADDR_LOOPBACK) };
	if (bind(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
		snprintf(err, len, "bind: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Runs cfg->rounds crawls, round r starting interval * r seconds after
 * the first (at once when the previous one ran longer).  Returns 0, or
 * -1 with err (no usable bootstrap address, socket, memory).
 */
int crawl_run(const struct crawl_cfg *cfg, FILE *out,
	      void (*on_round)(void *ctx, const struct crawl_stats *s), void *ctx, char *err, size_t errlen)
{
	struct crawler *c = calloc(1, sizeof *c);
	int rc = -1;
	if (!c) {
		snprintf(err, errlen, "crawler: %s", strerror(ENOMEM));
		return -1;
	}
	c->cfg = cfg;
	c->fd = -1;
	c->rng.s = cfg->seed;
	for (unsigned i = 0; i < cfg->nboot; i++) {
		if (!cfg->allow_remote && !crawl_addr_loopback(cfg->boot[i].ip)) {
			snprintf(err, errlen, "bootstrap address is not loopback (127.0.0.0/8); give --allow-remote to crawl a real network");
			goto out;
		}
	}
	if (crawl_socket(c, err, errlen) != 0 || !hash_rebuild(c, 1024))
		goto out;
	double first = p2p_now();
	for (unsigned r = 0; r < cfg->rounds && !(cfg->stop && *cfg->stop); r++) {
		double at = first + r * cfg->interval;
		while (p2p_now() < at && !(cfg->stop && *cfg->stop))
			poll(NULL, 0, (int)((at - p2p_now()) * 1000) + 1);
		if (!crawl_reset(c)) {
			snprintf(err, errlen, "crawler: %s", strerror(ENOMEM));
			goto out;
		}
		memset(&c->st, 0, sizeof c->st);
		c->st.crawl = r;
		c->st.start = p2p_now();
		crawl_round(c);
		c->st.end = p2p_now();
		if (c->oom) {
			snprintf(err, errlen, "crawler: %s (crawl %u incomplete)", strerror(ENOMEM), r);
			goto out;
		}
		crawl_write(c, out);
		if (on_round)
			on_round(ctx, &c->st);
	}
	rc = ferror(out) ? -1 : 0;
	if (rc)
		snprintf(err, errlen, "cannot write the snapshot");
out:
	if (c->fd >= 0)
		close(c->fd);
	free(c->n);
	free(c->hash);
	free(c->jobs);
	free(c->pend);
	free(c->plog);
	free(c);
	return rc;
}
