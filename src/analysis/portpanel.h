/*
 * portpanel.h - one host of one capture with its port analysis: what
 * `plot`, `ports` and `compare` show (render/ports_out.h draws and
 * writes it).  Library code: nothing here prints.
 */
#ifndef BOTLENS_PORTPANEL_H
#define BOTLENS_PORTPANEL_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/contacts.h"
#include "analysis/points.h"
#include "analysis/ports.h"
#include "engine/run.h"

struct rp_col;

struct port_panel {
	char *file;                /* the capture's path */
	char host[64];             /* the host's address ("" for a capture with no host) */
	struct contact *v;         /* its contacts in direction dir; src/dst cleared */
	size_t n;
	enum contacts_dir dir;     /* the direction of v */
	double span;               /* the capture's duration, s */
	int64_t start_ns;
	struct ports_report rep;
	/* for compare: the host's flows in both directions */
	uint64_t flows_out[3], flows_in[3];   /* [0] tcp [1] udp [2] icmp */
	uint64_t peers;            /* distinct peers, both directions */
	uint64_t ports_out;        /* distinct (proto, destination port) contacted */
	struct plot_annots explain;   /* phases and notable endpoints from the report analyses */
};

/* An empty panel of run r (file, span, start from cur): "nothing here". 0, or -1 out of memory. */
int port_panel_init(struct port_panel *pp, const struct contacts *cur, const struct run *r);
/*
 * The panel of host h from the pass's contacts cur (contacts_finish'ed):
 * contacts in direction dir (both when h has none outbound and dir_set is
 * false), their port analysis, and with col (the report collector of the
 * same pass) the report's annotations.  Call before the run closes (h
 * belongs to its host table).  0, or -1 out of memory (pp is then the
 * caller's to free).
 */
int port_panel_build(struct port_panel *pp, const struct contacts *cur, const struct run *r,
		     const struct host *h, enum contacts_dir dir, bool dir_set, struct rp_col *col);
/*
 * port_panel_build from h's contacts in both directions already selected
 * (contacts_select_hosts: one scan for all the hosts): all[0..na), which
 * the panel takes (freed even when it fails).
 */
int port_panel_build_from(struct port_panel *pp, const struct contacts *cur, const struct run *r,
			  const struct host *h, struct contact *all, size_t na, enum contacts_dir dir,
			  bool dir_set, struct rp_col *col);
void port_panel_free(struct port_panel *pp);

#endif
