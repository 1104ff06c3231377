/*
 * dpi_work.h - inside the report analysis: nDPI's per-flow detection as
 * a message consumer, so it can run in the collector's thread or in a
 * thread of its own (dpi_thread.c) with the same results.
 *
 * The collector sends, per flow, its first payload packet (DW_FIRST, with
 * the responder's endpoint), the next ones (DW_NEXT) while no verdict has
 * come back, and DW_END when the flow ends before one did.  The worker
 * (dpi_work.c) decides everything from the messages in the order they
 * were sent: whether the flow inherits its endpoint's verdict, is
 * refused (past RP_DPI_LIVE live states) or dissected, when detection
 * ends.  Each flow gets exactly one verdict; messages about a flow whose
 * verdict was given are ignored, so a collector that learns the verdict
 * late only sends a few packets in vain.
 */
#ifndef BOTLENS_DPI_WORK_H
#define BOTLENS_DPI_WORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/dpi.h"

/*
 * Packets with payload given to nDPI per flow, at most; and while it has
 * recognised nothing.  nDPI costs ~1 us per packet it dissects and a few
 * per flow (bench/RESULTS.md); on the 25 real captures of ../shared/data
 * and storm-private the names and risks are the same with 4 undecided
 * packets as with 8 (2 changed five of them).
 */
#define DPI_MAX_PKTS 24
#define DPI_UNDECIDED_PKTS 4

enum { DW_FIRST = 1, DW_NEXT, DW_END, DW_STOP, DW_PAD };
#define DW_NOIP 0xffffffffu          /* dw_msg.len: a packet nDPI cannot take (counted, not fed) */

/* One message; in a queue (dpi_thread.c) a packet's len IP bytes follow
 * it unless ip points to them in place. */
struct dw_msg {
	uint32_t idx;               /* the flow's record index */
	uint32_t host;              /* DW_FIRST: the responder's host index */
	uint16_t dport;             /* DW_FIRST: the responder's port */
	uint8_t proto, kind;        /* IP protocol; DW_* */
	uint32_t len;               /* IP bytes of the packet, or DW_NOIP */
	int64_t ts_ns;
	const uint8_t *ip;          /* the bytes in place (a mapped capture), or NULL */
};

enum { DWV_DONE = 2, DWV_REFUSED = 3 };  /* dw_verdict.state: rp_flow.dpi's values */

/* A flow's verdict: what goes into its struct rp_flow. */
struct dw_verdict {
	uint32_t idx;
	uint16_t master, app;
	uint64_t risk;
	uint8_t pkts, state;        /* packets dissected; DWV_* */
};

struct dpi_work;

/* A worker over module d (owned by the caller); NULL out of memory. */
struct dpi_work *dw_new(struct dpi *d);
/* Frees the worker and every flow state still alive. */
void dw_free(struct dpi_work *w);
/* Takes message m (ip: its packet's bytes, NULL for DW_NOIP); true when
 * the flow's verdict is in *v. */
bool dw_take(struct dpi_work *w, const struct dw_msg *m, const uint8_t *ip, struct dw_verdict *v);

struct dw_stats {
	size_t live;                /* flow states alive now */
	uint64_t refused;           /* flows past RP_DPI_LIVE */
	uint64_t inherited;         /* flows named from their endpoint's verdict */
	bool oom;                   /* an allocation failed: some flow went without */
};
struct dw_stats dw_stats(const struct dpi_work *w);

#endif
