/*
 * synth.c - the scenario table, synth_run() and the ground truth.
 *
 * A run: the scenario generates its sessions into a build_ctx (frames in
 * memory), the frames are sorted by (time, emission order), the truth
 * flows are derived from them, then the pcap and the JSON sidecar are
 * written.  Nothing depends on the clock or on addresses in memory, so
 * the same (scenario, seed, duration) gives byte-identical files.
 *
 * Flows.  The truth flows are what a Zeek-like tracker recovers: frames
 * grouped by 5-tuple (ICMP echo: addresses and identifier), a flow ending
 * after an idle gap longer than its timeout (TCP 300 s, UDP 60 s, ICMP
 * 60 s); the originator is the sender of the flow's first frame.  The
 * scenarios keep distinct conversations apart: each TCP connection and
 * DNS query takes a fresh ephemeral port, and a 5-tuple is reused (an
 * Overnet peer contacted again) only after more than the timeout.  This
 * file checks that promise on every run, with a 5 s margin either side of
 * the timeouts so trackers that compare with >= or > agree: every
 * session must form exactly one flow, and a flow must hold one session;
 * otherwise synth_run() fails with an "internal:" error.
 *
 * Truth JSON (RFC 8259):
 *   { "scenario", "seed", "duration", "epoch", "packets",
 *     "hosts":     [ { "address", "role" [, "mac"] } ]   (first-seen order),
 *     "behaviors": [ { "kind", "start", "end", "flows" } ],
 *     "flows":     [ { "proto", "orig_h", "orig_p", "resp_h", "resp_p",
 *                      "start", "end", "packets", "behavior" } ] (by start) }
 * Times are seconds since the capture start (the first frame is at 0).
 * ICMP flows give the echo request type (8) as orig_p and the reply code
 * (0) as resp_p, as Zeek does.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "p2p/p2p.h"
#include "synth/build.h"
#include "synth/synth.h"
#include "util/afile.h"

#define SYNTH_MAX_DURATION 14400.0   /* 4 h: the run is built in memory */
#define TIMEOUT_MARGIN_US BUILD_SEC(5)

static const struct synth_scenario *const scenarios[] = {
	&synth_storm_private, &synth_storm_public, &synth_benign_browsing,
};
#define NSCEN (sizeof scenarios / sizeof *scenarios)

const char *const synth_scenarios[] = { "storm-private", "storm-public", "benign-browsing", NULL };

static const struct synth_scenario *find_scenario(const char *name)
{
	for (size_t i = 0; name && i < NSCEN; i++)
		if (!strcmp(scenarios[i]->name, name))
			return scenarios[i];
	return NULL;
}

const char *synth_describe(const char *scenario)
{
	const struct synth_scenario *s = find_scenario(scenario);
	return s ? s->desc : NULL;
}

struct flow {
	uint8_t proto;
	uint32_t oh, rh;
	uint16_t op, rp;
	int64_t start, last;
	uint32_t packets;
	uint32_t sess;
};

struct flowtab {
	struct flow *f;
	size_t n, cap;
	uint32_t *slot;        /* hash slot -> flow index + 1 (latest flow of the key) */
	size_t nslot;
	uint32_t *sess_flow;   /* session -> flow index + 1 */
};

static uint64_t key_hash(uint8_t proto, uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
	if (a > b || (a == b && ap > bp)) {
		uint32_t t = a;
		a = b;
		b = t;
		uint16_t tp = ap;
		ap = bp;
		bp = tp;
	}
	uint64_t h = ((uint64_t)a << 32 | b) * 0x9e3779b97f4a7c15ULL;
	h ^= ((uint64_t)ap << 24 | (uint64_t)bp << 8 | proto) * 0xc2b2ae3d27d4eb4fULL;
	return h ^ (h >> 29);
}

static bool same_key(const struct flow *f, const struct build_pkt *p)
{
	if (f->proto != p->proto)
		return false;
	return (f->oh == p->src && f->op == p->sport && f->rh == p->dst && f->rp == p->dport) ||
	       (f->oh == p->dst && f->op == p->dport && f->rh == p->src && f->rp == p->sport);
}

static int64_t timeout_us(uint8_t proto)
{
	return proto == BUILD_TCP ? BUILD_SEC(300) : BUILD_SEC(60);
}

/*
 * Puts packet p (in time order) into its flow, creating one after an idle
 * gap beyond the timeout.  Returns 0, or -1 with err filled when the run
 * breaks the one-session-one-flow rule described at the top.
 */
static int flow_add(struct flowtab *ft, const struct build_pkt *p, char *err, size_t errlen)
{
	size_t i = (size_t)key_hash(p->proto, p->src, p->sport, p->dst, p->dport) & (ft->nslot - 1);
	while (ft->slot[i] && !same_key(&ft->f[ft->slot[i] - 1], p))
		i = (i + 1) & (ft->nslot - 1);
	struct flow *f = ft->slot[i] ? &ft->f[ft->slot[i] - 1] : NULL;
	int64_t to = timeout_us(p->proto);
	if (f) {
		int64_t gap = p->ts_us - f->last;
		bool same = f->sess == p->sess;
		if ((same && gap > to - TIMEOUT_MARGIN_US) || (!same && gap < to + TIMEOUT_MARGIN_US)) {
			snprintf(err, errlen, "internal: sessions %u and %u meet on one 5-tuple %.3f s "
				 "apart (timeout %.0f s)", f->sess, p->sess, gap / 1e6, to / 1e6);
			return -1;
		}
		if (same) {
			f->last = p->ts_us;
			f->packets++;
			return 0;
		}
	}
	if (ft->sess_flow[p->sess]) {
		snprintf(err, errlen, "internal: session %u split into two flows", p->sess);
		return -1;
	}
	struct flow *nf = &ft->f[ft->n];
	*nf = (struct flow){ .proto = p->proto, .oh = p->src, .op = p->sport, .rh = p->dst,
			     .rp = p->dport, .start = p->ts_us, .last = p->ts_us, .packets = 1,
			     .sess = p->sess };
	ft->slot[i] = (uint32_t)++ft->n;
	ft->sess_flow[p->sess] = (uint32_t)ft->n;
	return 0;
}

static int cmp_pkt(const void *a, const void *b)
{
	const struct build_pkt *x = a, *y = b;
	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts the frames and derives the flows (see the top of the file). */
static int derive_flows(struct build_ctx *c, struct flowtab *ft, char *err, size_t errlen)
{
	qsort(c->pkts, c->npkts, sizeof *c->pkts, cmp_pkt);
	ft->nslot = 1024;
	while (ft->nslot < 2 * c->npkts)
		ft->nslot *= 2;
	ft->f = calloc(c->npkts + 1, sizeof *ft->f);
	ft->slot = calloc(ft->nslot, sizeof *ft->slot);
	ft->sess_flow = calloc((size_t)c->nsess + 1, sizeof *ft->sess_flow);
	if (!ft->f || !ft->slot || !ft->sess_flow) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < c->npkts; i++)
		if (c->pkts[i].proto && flow_add(ft, &c->pkts[i], err, errlen) < 0)
			return -1;
	return 0;
}

static void flowtab_free(struct flowtab *ft)
{
	free(ft->f);
	free(ft->slot);
	free(ft->sess_flow);
}

/* A JSON number with exactly six decimals (microseconds), locale-free. */
static json_object *jsec(int64_t us)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld.%06lld", (long long)(us / 1000000),
		 (long long)(us % 1000000));
	return json_object_new_double_s((double)us / 1e6, buf);
}

static json_object *jaddr(uint32_t ip)
{
	char buf[16];
	snprintf(buf, sizeof buf, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
		 ip & 255);
	return json_object_new_string(buf);
}

static void add(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static const char *const proto_names[] = { [BUILD_ICMP] = "icmp", [BUILD_TCP] = "tcp",
					   [BUILD_UDP] = "udp" };

static json_object *truth_flows(const struct build_ctx *c, const struct flowtab *ft)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < ft->n; i++) {
		const struct flow *f = &ft->f[i];
		json_object *o = json_object_new_object();
		bool icmp = f->proto == BUILD_ICMP;
		add(o, "proto", json_object_new_string(proto_names[f->proto]));
		add(o, "orig_h", jaddr(f->oh));
		add(o, "orig_p", json_object_new_int(icmp ? 8 : f->op));
		add(o, "resp_h", jaddr(f->rh));
		add(o, "resp_p", json_object_new_int(icmp ? 0 : f->rp));
		add(o, "start", jsec(f->start));
		add(o, "end", jsec(f->last));
		add(o, "packets", json_object_new_int64(f->packets));
		add(o, "behavior", json_object_new_string(build_kind_names[c->sess_kind[f->sess]]));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *truth_behaviors(const struct build_ctx *c, const struct flowtab *ft)
{
	int64_t start[KIND_COUNT], end[KIND_COUNT];
	uint32_t n[KIND_COUNT] = { 0 };
	for (size_t i = 0; i < ft->n; i++) {
		int k = c->sess_kind[ft->f[i].sess];
		if (!n[k] || ft->f[i].start < start[k])
			start[k] = ft->f[i].start;
		if (!n[k] || ft->f[i].last > end[k])
			end[k] = ft->f[i].last;
		n[k]++;
	}
	json_object *arr = json_object_new_array();
	for (int k = 0; k < KIND_COUNT; k++) {
		if (!n[k])
			continue;
		json_object *o = json_object_new_object();
		add(o, "kind", json_object_new_string(build_kind_names[k]));
		add(o, "start", jsec(start[k]));
		add(o, "end", jsec(end[k]));
		add(o, "flows", json_object_new_int64(n[k]));
		json_object_array_add(arr, o);
	}
	return arr;
}

static void host_entry(const struct build_ctx *c, json_object *arr, uint32_t ip, int role)
{
	json_object *o = json_object_new_object();
	add(o, "address", jaddr(ip));
	add(o, "role", json_object_new_string(build_role_names[role]));
	for (int i = 0; i < c->nlocal; i++) {
		if (c->local[i].ip != ip)
			continue;
		const uint8_t *m = c->local[i].mac;
		char buf[18];
		snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
		add(o, "mac", json_object_new_string(buf));
	}
	json_object_array_add(arr, o);
}

/* Every address of the capture, in first-seen order, with its role. */
static json_object *truth_hosts(const struct build_ctx *c, char *err, size_t errlen)
{
	uint8_t *seen = calloc(c->hosts.cap, 1);
	json_object *arr = json_object_new_array();
	if (!seen) {
		snprintf(err, errlen, "out of memory");
		json_object_put(arr);
		return NULL;
	}
	for (size_t i = 0; i < c->npkts; i++) {
		const struct build_pkt *p = &c->pkts[i];
		for (int k = 0; p->proto && k < 2; k++) {
			uint32_t ip = k ? p->dst : p->src;
			long s = build_host_slot(c, ip);
			if (s < 0) {
				snprintf(err, errlen, "internal: address %u.%u.%u.%u has no role",
					 ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
				json_object_put(arr);
				free(seen);
				return NULL;
			}
			if (!seen[s]) {
				seen[s] = 1;
				host_entry(c, arr, ip, c->hosts.role[s]);
			}
		}
	}
	free(seen);
	return arr;
}

static json_object *truth_doc(const struct synth_scenario *s, const struct synth_opts *o,
			      double duration, const struct build_ctx *c, const struct flowtab *ft,
			      char *err, size_t errlen)
{
	json_object *hosts = truth_hosts(c, err, errlen);
	if (!hosts)
		return NULL;
	json_object *root = json_object_new_object();
	char dur[32];
	snprintf(dur, sizeof dur, "%.6f", duration);
	add(root, "scenario", json_object_new_string(s->name));
	add(root, "seed", json_object_new_uint64(o->seed));
	add(root, "duration", json_object_new_double_s(duration, dur));
	add(root, "epoch", json_object_new_string("2008-04-01T10:00:00Z"));
	add(root, "packets", json_object_new_int64((int64_t)c->npkts));
	if (o->xor_key) {
		char hex[2 * OV_XOR_KEYLEN + 1];
		ov_xor_format(o->xor_key, hex);
		add(root, "xor_key", json_object_new_string(hex));
	}
	add(root, "hosts", hosts);
	add(root, "behaviors", truth_behaviors(c, ft));
	add(root, "flows", truth_flows(c, ft));
	return root;
}

/* Opens path through a temporary file (util/afile): a failed write leaves nothing. */
static FILE *open_out(const char *path, struct afile *af, char *err, size_t errlen)
{
	if (!strcmp(path, "-"))
		return stdout;
	FILE *f = afile_open(af, path);
	if (!f)
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
	return f;
}

/* Closes and renames into place (or flushes stdout); reports a write error seen at any point. */
static int close_out(FILE *f, struct afile *af, const char *path, int werr, char *err, size_t errlen)
{
	int e = werr;
	if (ferror(f) && !e)
		e = EIO;
	if (f == stdout) {
		if (fflush(f) != 0 && !e)
			e = errno ? errno : EIO;
	} else if (e) {
		afile_abort(af, f);
	} else if (afile_commit(af, f) != 0) {
		e = errno ? errno : EIO;
	}
	if (e) {
		snprintf(err, errlen, "cannot write '%s': %s",
			 strcmp(path, "-") ? path : "standard output", strerror(e));
		return -1;
	}
	return 0;
}

static int write_pcap(const struct build_ctx *c, const char *path, char *err, size_t errlen)
{
	struct afile af;
	FILE *f = open_out(path, &af, err, errlen);
	if (!f)
		return -1;
	struct pcapw w;
	int werr = 0;
	if (pcapw_open(&w, f, 1, 65535) < 0)
		werr = errno;
	for (size_t i = 0; !werr && i < c->npkts; i++) {
		const struct build_pkt *p = &c->pkts[i];
		int64_t ns = ((int64_t)BUILD_EPOCH_S * 1000000 + p->ts_us) * 1000;
		if (pcapw_write(&w, ns, c->bytes + p->off, p->len, p->len) < 0)
			werr = errno;
	}
	return close_out(f, &af, path, werr, err, errlen);
}

static int write_truth(json_object *doc, const char *path, char *err, size_t errlen)
{
	struct afile af;
	FILE *f = open_out(path, &af, err, errlen);
	if (!f)
		return -1;
	const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_SPACED |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	int werr = 0;
	errno = 0;
	if (fputs(s, f) == EOF || fputc('\n', f) == EOF)
		werr = errno ? errno : EIO;
	return close_out(f, &af, path, werr, err, errlen);
}

static int check_opts(const struct synth_opts *o, const struct synth_scenario **s,
		      double *duration, char *err, size_t errlen)
{
	*s = find_scenario(o->scenario);
	if (!*s) {
		snprintf(err, errlen, "unknown scenario '%s'", o->scenario ? o->scenario : "");
		return -1;
	}
	*duration = o->duration > 0 ? o->duration : (*s)->default_duration;
	if (!(o->duration >= 0) || *duration > SYNTH_MAX_DURATION) {
		snprintf(err, errlen, "invalid duration %g: expected 0 < seconds <= %.0f",
			 o->duration, SYNTH_MAX_DURATION);
		return -1;
	}
	if (o->xor_key && !(*s)->overnet) {
		snprintf(err, errlen, "an XOR key applies to the storm scenarios only");
		return -1;
	}
	if (!o->pcap_path) {
		snprintf(err, errlen, "no output file");
		return -1;
	}
	if (o->truth_path && !strcmp(o->truth_path, "-") && !strcmp(o->pcap_path, "-")) {
		snprintf(err, errlen, "the capture and the truth cannot both go to standard output");
		return -1;
	}
	return 0;
}

/*
 * Generates the run in memory, checks it, then writes the pcap and the
 * truth (default path: pcap path + ".truth.json"; none when the pcap goes
 * to standard output and no truth path is given).  Returns 0, or -1 with
 * err filled; files already written are left in place.
 */
int synth_run(const struct synth_opts *o, char *err, size_t errlen)
{
	const struct synth_scenario *s;
	double duration;
	if (check_opts(o, &s, &duration, err, errlen) < 0)
		return -1;
	struct build_ctx c;
	struct flowtab ft = { 0 };
	json_object *doc = NULL;
	int rc = -1;
	if (build_init(&c, o->seed, (int64_t)llround(duration * 1e6)) == 0) {
		c.ov_key = o->xor_key;
		s->generate(&c);
	}
	if (c.oom) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (derive_flows(&c, &ft, err, errlen) < 0)
		goto out;
	if (!(doc = truth_doc(s, o, duration, &c, &ft, err, errlen)))
		goto out;
	if (write_pcap(&c, o->pcap_path, err, errlen) < 0)
		goto out;
	char def[4096];
	const char *tp = o->truth_path;
	if (!tp && strcmp(o->pcap_path, "-")) {
		snprintf(def, sizeof def, "%s.truth.json", o->pcap_path);
		tp = def;
	}
	if (tp && write_truth(doc, tp, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	json_object_put(doc);
	flowtab_free(&ft);
	build_free(&c);
	return rc;
}
