/*
 * sim.c - a Storm-like Overnet botnet on this machine's loopback, with
 * ground truth.  One process, one thread, one epoll loop: every peer is
 * its own non-blocking UDP socket bound to its own 127.<net>.x.y address
 * (ephemeral port), so 10,000 peers cost 10,000 descriptors and no
 * threads.  Nothing is ever sent outside 127.0.0.0/8: every destination
 * comes from a peer record the simulator made, all on loopback, and
 * sim_send() refuses anything else.
 *
 * Model (documented in README "P2P"):
 *  - Bots: address i -> 127.<net>.(1 + i / 250).(1 + i % 250); sybils
 *    all on 127.<net>.254.1, always online, IDs sharing a 32-bit prefix.
 *  - Churn: alternating sessions ~ Weibull(k, scale) and downtimes ~
 *    Weibull(k, scale (1 - F) / F), so the long-run online fraction is F.
 *    The initial state is online with probability F, with a uniformly
 *    cut first period (approximately stationary).
 *  - Restart: with probability id_change the bot draws a new ID (Storm
 *    did on reboot); it sends Connect to 3 contacts, which learn it.
 *  - NAT: a NAT'd bot sends (Connect, Publicize every 20-40 s) and takes
 *    replies, but its NAT drops every unsolicited request: it is known
 *    to others and cannot be reached.
 *  - Offline bots keep their socket and drop everything (a host off).
 *  - Routing: each table starts with the 6 ID-nearest nodes on each side
 *    and 150 random ones (k-buckets, K = 8); requests and Connects add
 *    their senders.  Connect is answered with 20 random contacts, Search
 *    with the 4 contacts closest to the target, Identify with the ID.
 *
 * Truth (JSON lines): "config"; one "peer" line per node (address, port,
 * nat, sybil); "up" (with the ID) and "down" events; a "summary" each
 * second; "end".  Times are epoch seconds, as in crawl snapshots; an
 * up/down time is the instant the state changed in this process (to the
 * microsecond), so it can be compared with the crawler's probe times.
 */
#include <errno.h>
#include <json-c/json.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "p2p/p2p-int.h"
#include "p2p/p2p.h"
#include "util/jsonout.h"

enum { PF_ONLINE = 1, PF_NAT = 2, PF_SYBIL = 4 };
enum { EV_TOGGLE, EV_PUBLICIZE };

struct sim_peer {
	int fd;
	uint32_t ip;
	uint16_t port;
	uint8_t flags;
	uint8_t id[OV_IDLEN];
	struct kad_table t;
};

struct sim_ev {
	double t;
	uint32_t peer;
	uint8_t kind;
};

struct sim {
	const struct sim_cfg *cfg;
	struct sim_peer *p;
	unsigned n;               /* bots + sybils */
	struct sim_ev *heap;
	size_t nheap, capheap;
	struct p2p_rng rng;
	FILE *truth;
	double t0;
	uint64_t rx, tx, bad, dropped_nat;
	uint8_t buf[OV_MAXPKT + 1];
};

void sim_cfg_default(struct sim_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->peers = 500;
	c->online_frac = 0.7;
	c->nat_frac = 0.3;
	c->churn = true;
	c->weibull_k = 0.6;
	c->weibull_scale = 600;
	c->id_change = 0.5;
	c->duration = 60;
	c->seed = 1;
	c->net = 77;
}

static int sim_err(char *err, size_t len, const char *what, int e)
{
	snprintf(err, len, "%s: %s", what, strerror(e));
	return -1;
}

/* --- the event heap (min on t) --- */
static bool heap_push(struct sim *s, double t, uint32_t peer, uint8_t kind)
{
	if (s->nheap == s->capheap) {
		size_t nc = s->capheap ? s->capheap * 2 : 1024;
		struct sim_ev *h = realloc(s->heap, nc * sizeof *h);
		if (!h)
			return false;
		s->heap = h;
		s->capheap = nc;
	}
	size_t i = s->nheap++;
	while (i > 0 && s->heap[(i - 1) / 2].t > t) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = (struct sim_ev){ t, peer, kind };
	return true;
}

static struct sim_ev heap_pop(struct sim *s)
{
	struct sim_ev top = s->heap[0], last = s->heap[--s->nheap];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && s->heap[c + 1].t < s->heap[c].t)
			c++;
		if (s->heap[c].t >= last.t)
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->nheap)
		s->heap[i] = last;
	return top;
}

static void self_peer(const struct sim_peer *p, struct ov_peer *o)
{
	memcpy(o->id, p->id, OV_IDLEN);
	o->ip = p->ip;
	o->port = p->port;
	o->kind = 0;
}

/* Sends m from peer p to ip:port; loopback only, silently dropped otherwise. */
static void sim_send(struct sim *s, struct sim_peer *p, const struct ov_msg *m, uint32_t ip, uint16_t port)
{
	if ((ip >> 24) != 127)
		return;
	size_t n = ov_encode(m, s->buf, sizeof s->buf);
	if (!n)
		return;
	if (s->cfg->xor_on)
		ov_xor(s->buf, n, s->cfg->key);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(ip) };
	if (sendto(p->fd, s->buf, n, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)n)
		s->tx++;
}

static void send_hello(struct sim *s, struct sim_peer *p, uint8_t op, unsigned count)
{
	struct ov_msg m = { .op = op };
	self_peer(p, &m.peer);
	for (unsigned k = 0; k < count && p->t.n; k++) {
		const struct ov_peer *c = &p->t.c[p2p_below(&s->rng, p->t.n)].p;
		sim_send(s, p, &m, c->ip, c->port);
	}
}

static bool is_request(uint8_t op)
{
	static const uint8_t req[] = { OV_CONNECT, OV_PUBLICIZE, OV_SEARCH, OV_SEARCH_INFO, OV_PUBLISH,
				       OV_IDENTIFY, OV_IDENTIFY_ACK, OV_FIREWALL, OV_GETMYIP, OV_PEER_NOTFOUND };
	for (size_t i = 0; i < sizeof req; i++)
		if (req[i] == op)
			return true;
	return false;
}

static void add_peers(struct sim_peer *p, const struct ov_msg *m, uint32_t now)
{
	for (uint16_t i = 0; i < m->npeers; i++) {
		struct ov_peer o;
		ov_peer_get(m, i, &o);
		if ((o.ip >> 24) == 127)
			kad_insert(&p->t, &o, now);
	}
}

/* Answers one decoded message received by peer p from ip:port. */
static void sim_answer(struct sim *s, struct sim_peer *p, const struct ov_msg *m, uint32_t ip, uint16_t port)
{
	uint32_t now = (uint32_t)(p2p_now() - s->t0);
	uint8_t recs[20 * OV_PEERLEN];
	struct ov_peer near[4];
	struct ov_msg r = { 0 };
	switch (m->op) {
	case OV_CONNECT:
		kad_insert(&p->t, &m->peer, now);
		r.op = OV_CONNECT_REPLY;
		if (p->t.n) {
			unsigned start = p2p_below(&s->rng, p->t.n);
			for (unsigned k = 0; k < 20 && k < p->t.n; k++, r.npeers++)
				ov_peer_put(recs + k * OV_PEERLEN, &p->t.c[(start + k) % p->t.n].p);
		}
		r.peers = recs;
		break;
	case OV_PUBLICIZE:
		kad_insert(&p->t, &m->peer, now);
		r.op = OV_PUBLICIZE_ACK;
		break;
	case OV_SEARCH:
		r.op = OV_SEARCH_NEXT;
		memcpy(r.hash, m->hash, OV_IDLEN);
		r.npeers = (uint16_t)kad_closest(&p->t, m->hash, near, 4);
		for (unsigned k = 0; k < r.npeers; k++)
			ov_peer_put(recs + k * OV_PEERLEN, &near[k]);
		r.peers = recs;
		break;
	case OV_SEARCH_INFO:
		r.op = OV_SEARCH_END;
		memcpy(r.hash, m->hash, OV_IDLEN);
		r.has_counts = true;
		break;
	case OV_PUBLISH:
		r.op = OV_PUBLISH_ACK;
		memcpy(r.hash, m->hash, OV_IDLEN);
		break;
	case OV_IDENTIFY:
		r.op = OV_IDENTIFY_REPLY;
		self_peer(p, &r.peer);
		break;
	case OV_GETMYIP:
		r.op = OV_GETMYIP_RESULT;
		r.ip = ip;
		break;
	case OV_CONNECT_REPLY:
	case OV_SEARCH_NEXT:
		add_peers(p, m, now);
		return;
	default:
		return;
	}
	sim_send(s, p, &r, ip, port);
}

static void sim_recv(struct sim *s, struct sim_peer *p)
{
	for (int k = 0; k < 64; k++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(p->fd, s->buf, sizeof s->buf, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		s->rx++;
		if (!(p->flags & PF_ONLINE))
			continue;
		if (s->cfg->xor_on)
			ov_xor(s->buf, (size_t)n, s->cfg->key);
		struct ov_msg m;
		if (ov_decode(s->buf, (size_t)n, &m) != OV_OK) {
			s->bad++;
			continue;
		}
		if ((p->flags & PF_NAT) && is_request(m.op)) {
			s->dropped_nat++;
			continue;
		}
		sim_answer(s, p, &m, ntohl(from.sin_addr.s_addr), ntohs(from.sin_port));
	}
}

/* A truth line's start: {"type":TYPE,"t":T} (epoch seconds, microseconds). */
static json_object *truth_obj(const char *type, double t)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "t", jo_num(t, "%.6f"));
	return o;
}

static void truth_up(struct sim *s, unsigned i, double t)
{
	char hex[33];
	kad_id_hex(s->p[i].id, hex);
	json_object *o = truth_obj("up", t);
	json_object_object_add(o, "peer", json_object_new_int64(i));
	json_object_object_add(o, "id", json_object_new_string(hex));
	jo_line(s->truth, o);
}

/*
 * A churn event due at `now`: going down, or coming back (maybe with a
 * new ID).  The next event is drawn from `now` (the model's clock), but
 * the truth records the wall-clock instant the state really changed:
 * under load the loop may process an event a few ms late, and requests
 * handled meanwhile were answered in the old state.
 */
static void sim_toggle(struct sim *s, unsigned i, double now)
{
	const struct sim_cfg *c = s->cfg;
	struct sim_peer *p = &s->p[i];
	double next, real = p2p_now();
	if (p->flags & PF_ONLINE) {
		p->flags &= (uint8_t)~PF_ONLINE;
		json_object *o = truth_obj("down", real);
		json_object_object_add(o, "peer", json_object_new_int64(i));
		jo_line(s->truth, o);
		next = p2p_weibull(&s->rng, c->weibull_k, c->weibull_scale * (1 - c->online_frac) / c->online_frac);
	} else {
		p->flags |= PF_ONLINE;
		if (p2p_unif(&s->rng) < c->id_change) {
			p2p_fill(&s->rng, p->id, OV_IDLEN);
			kad_rekey(&p->t, p->id, (uint32_t)(now - s->t0));
		}
		truth_up(s, i, real);
		send_hello(s, p, OV_CONNECT, 3);
		next = p2p_weibull(&s->rng, c->weibull_k, c->weibull_scale);
	}
	heap_push(s, now + next, i, EV_TOGGLE);
}

static int cmp_by_id(const void *a, const void *b, void *ctx)
{
	const struct sim_peer *p = ctx;
	return memcmp(p[*(const unsigned *)a].id, p[*(const unsigned *)b].id, OV_IDLEN);
}

/* Initial routing tables: ID-space neighbours plus random nodes. */
static int sim_tables(struct sim *s)
{
	unsigned *ord = malloc(s->n * sizeof *ord);
	if (!ord)
		return -1;
	for (unsigned i = 0; i < s->n; i++)
		ord[i] = i;
	qsort_r(ord, s->n, sizeof *ord, cmp_by_id, s->p);
	for (unsigned r = 0; r < s->n; r++) {
		struct sim_peer *p = &s->p[ord[r]];
		struct ov_peer o;
		for (int d = -6; d <= 6; d++) {
			long q = (long)r + d;
			if (d == 0 || q < 0 || q >= (long)s->n)
				continue;
			self_peer(&s->p[ord[q]], &o);
			kad_insert(&p->t, &o, 0);
		}
		for (unsigned k = 0; k < 150; k++) {
			self_peer(&s->p[p2p_below(&s->rng, s->n)], &o);
			if (!kad_insert(&p->t, &o, 0)) {
				free(ord);
				return -1;
			}
		}
	}
	free(ord);
	return 0;
}

static uint32_t sim_addr(const struct sim_cfg *c, unsigned i, bool sybil)
{
	uint32_t base = 127u << 24 | (uint32_t)c->net << 16;
	if (sybil)
		return base | 254u << 8 | 1;
	return base | (1 + i / 250) << 8 | (1 + i % 250);
}

/* Raises the descriptor limit to what n sockets need, if the hard limit allows. */
static int sim_fdlimit(unsigned n, char *err, size_t len)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)n + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return sim_err(err, len, "getrlimit", errno);
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		snprintf(err, len, "%u peers need %lu descriptors but the hard limit is %lu", n,
			 (unsigned long)need, (unsigned long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return sim_err(err, len, "setrlimit", errno);
	return 0;
}

static int sim_sockets(struct sim *s, int ep, char *err, size_t len)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct sim_peer *p = &s->p[i];
		p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (p->fd < 0)
			return sim_err(err, len, "socket", errno);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(p->ip) };
		socklen_t al = sizeof a;
		if (bind(p->fd, (struct sockaddr *)&a, sizeof a) != 0 ||
		    getsockname(p->fd, (struct sockaddr *)&a, &al) != 0) {
			char ip[16], what[64];
			p2p_ip_str(p->ip, ip);
			snprintf(what, sizeof what, "bind %s", ip);
			return sim_err(err, len, what, errno);
		}
		p->port = ntohs(a.sin_port);
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, p->fd, &ev) != 0)
			return sim_err(err, len, "epoll_ctl", errno);
	}
	return 0;
}

/* Draws the nodes: IDs, NAT, initial state, first events; writes "peer" lines. */
static int sim_nodes(struct sim *s, double now)
{
	const struct sim_cfg *c = s->cfg;
	uint8_t sybil_prefix[4];
	p2p_fill(&s->rng, sybil_prefix, 4);
	for (unsigned i = 0; i < s->n; i++) {
		struct sim_peer *p = &s->p[i];
		bool sybil = i >= c->peers;
		p2p_fill(&s->rng, p->id, OV_IDLEN);
		if (sybil)
			memcpy(p->id, sybil_prefix, 4);
		p->flags = sybil ? PF_SYBIL | PF_ONLINE : 0;
		if (!sybil && p2p_unif(&s->rng) < c->nat_frac)
			p->flags |= PF_NAT;
		if (!sybil && p2p_unif(&s->rng) < c->online_frac)
			p->flags |= PF_ONLINE;
		p->ip = sim_addr(c, i, sybil);
		kad_init(&p->t, p->id);
		if (!sybil && c->churn) {
			double scale = (p->flags & PF_ONLINE) ? c->weibull_scale
							      : c->weibull_scale * (1 - c->online_frac) / c->online_frac;
			double first = p2p_weibull(&s->rng, c->weibull_k, scale) * p2p_unif(&s->rng);
			if (!heap_push(s, now + first, i, EV_TOGGLE))
				return -1;
		}
		if (!heap_push(s, now + 1 + 30 * p2p_unif(&s->rng), i, EV_PUBLICIZE))
			return -1;
	}
	return 0;
}

static void truth_begin(struct sim *s, double now)
{
	const struct sim_cfg *c = s->cfg;
	json_object *o = truth_obj("config", now);
	json_object_object_add(o, "peers", json_object_new_int64(c->peers));
	json_object_object_add(o, "online_frac", jo_num(c->online_frac, "%.6g"));
	json_object_object_add(o, "nat_frac", jo_num(c->nat_frac, "%.6g"));
	json_object_object_add(o, "churn", json_object_new_string(c->churn ? "weibull" : "none"));
	json_object_object_add(o, "weibull_k", jo_num(c->weibull_k, "%.6g"));
	json_object_object_add(o, "weibull_scale", jo_num(c->weibull_scale, "%.6g"));
	json_object_object_add(o, "id_change", jo_num(c->id_change, "%.6g"));
	json_object_object_add(o, "sybils", json_object_new_int64(c->sybils));
	json_object_object_add(o, "xor", json_object_new_boolean(c->xor_on));
	json_object_object_add(o, "seed", json_object_new_uint64(c->seed));
	jo_line(s->truth, o);
	for (unsigned i = 0; i < s->n; i++) {
		char ip[16];
		p2p_ip_str(s->p[i].ip, ip);
		o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string("peer"));
		json_object_object_add(o, "peer", json_object_new_int64(i));
		json_object_object_add(o, "addr", json_object_new_string(ip));
		json_object_object_add(o, "port", json_object_new_int64(s->p[i].port));
		json_object_object_add(o, "nat", json_object_new_boolean(s->p[i].flags & PF_NAT));
		json_object_object_add(o, "sybil", json_object_new_boolean(s->p[i].flags & PF_SYBIL));
		jo_line(s->truth, o);
	}
	for (unsigned i = 0; i < s->n; i++)
		if (s->p[i].flags & PF_ONLINE)
			truth_up(s, i, now);
}

/* The summary line (and the progress callback with the same counts). */
static void truth_summary(struct sim *s, double now, bool done)
{
	struct sim_status st = { .elapsed = now - s->t0, .duration = s->cfg->duration, .rx = s->rx, .tx = s->tx,
				 .done = done };
	for (unsigned i = 0; i < s->n; i++) {
		uint8_t f = s->p[i].flags;
		if (!(f & PF_ONLINE))
			continue;
		if (f & PF_SYBIL) {
			st.sybils++;
			continue;
		}
		st.online++;
		if (f & PF_NAT)
			st.nat_online++;
		else
			st.reachable++;
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string("summary"));
	json_object_object_add(o, "t", jo_num(now, "%.3f"));
	json_object_object_add(o, "online", json_object_new_int64(st.online));
	json_object_object_add(o, "reachable", json_object_new_int64(st.reachable));
	json_object_object_add(o, "nat_online", json_object_new_int64(st.nat_online));
	json_object_object_add(o, "sybils", json_object_new_int64(st.sybils));
	json_object_object_add(o, "rx", json_object_new_uint64(s->rx));
	json_object_object_add(o, "tx", json_object_new_uint64(s->tx));
	json_object_object_add(o, "bad", json_object_new_uint64(s->bad));
	json_object_object_add(o, "nat_dropped", json_object_new_uint64(s->dropped_nat));
	jo_line(s->truth, o);
	fflush(s->truth);
	if (s->cfg->progress)
		s->cfg->progress(s->cfg->progress_ctx, &st);
}

/* Writes up to 16 reachable online bots, "A.B.C.D:PORT" per line, atomically. */
static int sim_bootstrap(struct sim *s, const char *path, char *err, size_t len)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return sim_err(err, len, path, errno);
	unsigned k = 0;
	for (unsigned i = 0; i < s->cfg->peers && k < 16; i++) {
		uint8_t fl = s->p[i].flags;
		if ((fl & PF_ONLINE) && !(fl & PF_NAT)) {
			char ip[16];
			p2p_ip_str(s->p[i].ip, ip);
			fprintf(f, "%s:%u\n", ip, s->p[i].port);
			k++;
		}
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return sim_err(err, len, path, errno);
	return 0;
}

static void sim_event(struct sim *s, struct sim_ev e)
{
	struct sim_peer *p = &s->p[e.peer];
	if (e.kind == EV_TOGGLE) {
		sim_toggle(s, e.peer, e.t);
		return;
	}
	if (p->flags & PF_ONLINE)
		send_hello(s, p, OV_PUBLICIZE, 1);
	heap_push(s, e.t + 20 + 20 * p2p_unif(&s->rng), e.peer, EV_PUBLICIZE);
}

static void sim_loop(struct sim *s, int ep)
{
	struct epoll_event evs[256];
	double end = s->t0 + s->cfg->duration, next_sum = s->t0 + 1;
	for (;;) {
		double now = p2p_now();
		if (now >= end || (s->cfg->stop && *s->cfg->stop))
			break;
		while (s->nheap && s->heap[0].t <= now)
			sim_event(s, heap_pop(s));
		if (now >= next_sum) {
			truth_summary(s, now, false);
			next_sum += 1;
		}
		double wake = next_sum < end ? next_sum : end;
		if (s->nheap && s->heap[0].t < wake)
			wake = s->heap[0].t;
		int ms = (int)((wake - now) * 1000) + 1;
		int n = epoll_wait(ep, evs, 256, ms < 0 ? 0 : ms);
		for (int i = 0; i < n; i++)
			sim_recv(s, &s->p[evs[i].data.u32]);
	}
}

/*
 * Runs the overlay for cfg->duration seconds (or until *cfg->stop).
 * Returns 0, or -1 with err filled (descriptor limit, bind, memory).
 */
int sim_run(const struct sim_cfg *c, FILE *truth, char *err, size_t errlen)
{
	struct sim *s = calloc(1, sizeof *s);
	if (!s)
		return sim_err(err, errlen, "simulator", ENOMEM);
	int rc = -1, ep = -1;
	s->cfg = c;
	s->n = c->peers + c->sybils;
	s->truth = truth;
	s->rng.s = c->seed;
	s->p = calloc(s->n, sizeof *s->p);
	if (!s->p) {
		sim_err(err, errlen, "simulator", ENOMEM);
		goto out;
	}
	for (unsigned i = 0; i < s->n; i++)
		s->p[i].fd = -1;
	if (sim_fdlimit(s->n, err, errlen) != 0)
		goto out;
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		sim_err(err, errlen, "epoll_create1", errno);
		goto out;
	}
	s->t0 = p2p_now();
	if (sim_nodes(s, s->t0) != 0) {
		sim_err(err, errlen, "simulator", ENOMEM);
		goto out;
	}
	if (sim_sockets(s, ep, err, errlen) != 0)
		goto out;
	if (sim_tables(s) != 0) {  /* after the sockets: records carry the ports */
		sim_err(err, errlen, "simulator", ENOMEM);
		goto out;
	}
	s->t0 = p2p_now();
	truth_begin(s, s->t0);
	truth_summary(s, s->t0, false);
	if (c->bootstrap_path && sim_bootstrap(s, c->bootstrap_path, err, errlen) != 0)
		goto out;
	sim_loop(s, ep);
	truth_summary(s, p2p_now(), true);
	json_object *end = json_object_new_object();
	json_object_object_add(end, "type", json_object_new_string("end"));
	json_object_object_add(end, "t", jo_num(p2p_now(), "%.3f"));
	jo_line(truth, end);
	rc = fflush(truth) == 0 ? 0 : sim_err(err, errlen, "truth", errno);
out:
	for (unsigned i = 0; s->p && i < s->n; i++) {
		if (s->p[i].fd >= 0)
			close(s->p[i].fd);
		kad_free(&s->p[i].t);
	}
	if (ep >= 0)
		close(ep);
	free(s->p);
	free(s->heap);
	free(s);
	return rc;
}
