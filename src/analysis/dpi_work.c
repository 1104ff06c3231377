/*
 * dpi_work.c - nDPI's per-flow detection, message by message (dpi_work.h).
 *
 * A flow's nDPI state is made on its first payload packet (DW_FIRST; a
 * flow without payload cannot be recognised by content, so SYN-only scans
 * cost nothing) unless its server endpoint already has a settled verdict
 * (below), and fed until nDPI has detected the protocol and needs no more
 * (ndpi_extra_dissection_possible false), or DPI_MAX_PKTS went by, or
 * DPI_UNDECIDED_PKTS went by with nothing recognised, or the flow ended
 * (DW_END); then ndpi_detection_giveup() if nothing was, the verdict goes
 * out and the state is freed at once: it never lives for the flow's life.
 * At most RP_DPI_LIVE states exist at a time (a port scan opens flows
 * faster than they end); flows past the bound are refused (no nDPI name).
 *
 * Invariants: tab holds exactly the flows being dissected (live of them),
 * each with its nDPI state; a flow's verdict is given once, when it leaves
 * tab (or at once, for a flow inherited or refused).
 */
#include <stdlib.h>

#include "analysis/dpi_work.h"
#include "analysis/report-int.h"

/*
 * nDPI's verdict per server endpoint (responder host, port, transport):
 * after DPI_EP_SAME flows to one endpoint got the same protocol ids, the
 * next flows to it take that verdict without being dissected, with the
 * risks all of them shared.  A service keeps its protocol from one
 * connection to the next; nDPI's cost then grows with the endpoints of a
 * capture, not its flows (a bot's thousand connections to one C2 are
 * dissected twice; one that nDPI could not name in DPI_UNDECIDED_PKTS
 * packets settles at once).  A different verdict resets the count.  The
 * table is direct-mapped (DW_EP entries; a collision replaces the entry).
 */
#define DPI_EP_SAME 2
#define DW_EP 65536u
#define DW_HASH 16384u

struct dpi_ep {
	uint32_t host;              /* responder's host index, 0 empty */
	uint16_t port;
	uint8_t proto, same;        /* flows that agreed */
	uint16_t master, app;
	uint64_t risk;              /* risks every one of them had */
};

/* A flow being dissected. */
struct dw_flow {
	struct dw_flow *next;       /* hash chain */
	uint32_t idx, host;
	uint16_t dport;
	uint8_t proto, pkts;
	struct dpi_flow *df;
};

struct dpi_work {
	struct dpi *d;
	struct dpi_ep *ep;          /* DW_EP entries */
	struct dw_flow *tab[DW_HASH];
	struct dw_stats st;
};

struct dpi_work *dw_new(struct dpi *d)
{
	struct dpi_work *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->d = d;
	if (!(w->ep = calloc(DW_EP, sizeof *w->ep))) {   /* without it every flow is dissected */
		free(w);
		return NULL;
	}
	return w;
}

void dw_free(struct dpi_work *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < DW_HASH; i++)
		for (struct dw_flow *e = w->tab[i], *n; e; e = n) {
			n = e->next;
			dpi_flow_free(e->df);
			free(e);
		}
	free(w->ep);
	free(w);
}

struct dw_stats dw_stats(const struct dpi_work *w)
{
	return w->st;
}

static struct dpi_ep *ep_slot(struct dpi_work *w, uint32_t host, uint16_t port, uint8_t proto)
{
	if (!host)
		return NULL;
	uint32_t k = host * 2654435761u ^ (uint32_t)port * 40503u ^ proto;
	return &w->ep[(k ^ k >> 16) & (DW_EP - 1)];
}

static bool ep_match(const struct dpi_ep *e, uint32_t host, uint16_t port, uint8_t proto)
{
	return e && e->host == host && e->port == port && e->proto == proto;
}

/* Counts the verdict v of flow e for its endpoint. */
static void ep_learn(struct dpi_work *w, const struct dw_flow *e, const struct dw_verdict *v)
{
	struct dpi_ep *s = ep_slot(w, e->host, e->dport, e->proto);
	if (!s)
		return;
	if (ep_match(s, e->host, e->dport, e->proto) && s->master == v->master && s->app == v->app) {
		s->same += s->same < 255;
		s->risk &= v->risk;
		return;
	}
	*s = (struct dpi_ep){ .host = e->host, .port = e->dport, .proto = e->proto, .same = 1,
			      .master = v->master, .app = v->app, .risk = v->risk };
	/* nothing recognised in a whole undecided run of packets: the endpoint speaks no protocol nDPI knows */
	if (!v->master && !v->app && e->pkts >= DPI_UNDECIDED_PKTS)
		s->same = DPI_EP_SAME;
}

/* True when m's endpoint has a settled verdict, then taken into v. */
static bool ep_inherit(struct dpi_work *w, const struct dw_msg *m, struct dw_verdict *v)
{
	const struct dpi_ep *s = ep_slot(w, m->host, m->dport, m->proto);
	if (!ep_match(s, m->host, m->dport, m->proto) || s->same < DPI_EP_SAME)
		return false;
	v->master = s->master;
	v->app = s->app;
	v->risk = s->risk;
	w->st.inherited++;
	return true;
}

static struct dw_flow **slot(struct dpi_work *w, uint32_t idx)
{
	struct dw_flow **e = &w->tab[(idx * 2654435761u) >> 18 & (DW_HASH - 1)];
	while (*e && (*e)->idx != idx)
		e = &(*e)->next;
	return e;
}

/* The flow at *s leaves: its verdict into v, its state freed, its endpoint told. */
static void finish(struct dpi_work *w, struct dw_flow **s, struct dw_verdict *v)
{
	struct dw_flow *e = *s;
	struct dpi_result r = dpi_result(w->d, e->df);
	*v = (struct dw_verdict){ .idx = e->idx, .master = r.master, .app = r.app, .risk = r.risk,
				  .pkts = e->pkts, .state = DWV_DONE };
	*s = e->next;
	dpi_flow_free(e->df);
	w->st.live--;
	ep_learn(w, e, v);
	free(e);
}

/* A new flow: inherited, refused or entered.  NULL when its verdict is in v. */
static struct dw_flow **start(struct dpi_work *w, const struct dw_msg *m, struct dw_verdict *v)
{
	*v = (struct dw_verdict){ .idx = m->idx, .state = DWV_DONE };
	if (!w->d) {
		v->state = DWV_REFUSED;   /* no nDPI: nothing to say, and nothing counted */
		return NULL;
	}
	if (ep_inherit(w, m, v))
		return NULL;
	v->state = DWV_REFUSED;
	if (w->st.live >= RP_DPI_LIVE) {
		w->st.refused++;
		return NULL;
	}
	struct dw_flow **s = slot(w, m->idx), *e = NULL;
	struct dpi_flow *df = *s ? NULL : dpi_flow_new();
	if (!df || !(e = malloc(sizeof *e))) {
		w->st.oom |= !*s;         /* a second DW_FIRST for one flow is the caller's error */
		dpi_flow_free(df);
		return NULL;
	}
	*e = (struct dw_flow){ .idx = m->idx, .host = m->host, .dport = m->dport, .proto = m->proto, .df = df };
	*s = e;
	w->st.live++;
	return s;
}

bool dw_take(struct dpi_work *w, const struct dw_msg *m, const uint8_t *ip, struct dw_verdict *v)
{
	struct dw_flow **s;
	if (m->kind == DW_FIRST) {
		if (!(s = start(w, m, v)))
			return true;
	} else if (m->kind == DW_NEXT || m->kind == DW_END) {
		if (!*(s = slot(w, m->idx)))
			return false;     /* its verdict was given */
		if (m->kind == DW_END) {
			finish(w, s, v);
			return true;
		}
	} else {
		return false;
	}
	struct dw_flow *e = *s;
	bool done = m->len != DW_NOIP && dpi_feed(w->d, e->df, ip, m->len, m->ts_ns);
	e->pkts++;
	if (done || e->pkts >= DPI_MAX_PKTS || (e->pkts >= DPI_UNDECIDED_PKTS && !dpi_detected(e->df))) {
		finish(w, s, v);
		return true;
	}
	return false;
}
