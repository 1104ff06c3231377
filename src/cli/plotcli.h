/*
 * plotcli.h - the frame shared by `botlens plot`, `ports` and `compare`
 * (cli only): one pass per capture collecting contacts, then per sandbox
 * host a panel holding its contacts in the chosen direction, their port
 * analysis and the figures `compare` tabulates.
 */
#ifndef BOTLENS_PLOTCLI_H
#define BOTLENS_PLOTCLI_H

#include "analysis/contacts.h"
#include "analysis/portpanel.h"
#include "analysis/ports.h"
#include "cli/inputs.h"
#include "render/plot.h"
#include "render/ports_out.h"

struct rp_col;

struct plotcli {
	struct cli_common c;
	bool per_packet;
	enum contacts_dir dir;
	bool dir_set;              /* --inbound or --all given */
	bool ylog, annotate, icmp;
	bool explain;              /* run the report analyses for phase/endpoint annotations */
	struct rp_col *col;        /* their collector during a pass */
	uint64_t inspect_bytes, inspect_mem;  /* its limits (--inspect-bytes, --inspect-mem; 0 default) */
	int width, height;         /* pixels per panel (0 = default) */
	/* results */
	struct port_panel *panels;
	size_t npanels;
	struct contacts cur;
	int ex;                    /* worst exit code of the analysis (out of memory) */
};

/* Ids of the plot options (plotcli_opt handles them). */
enum {
	PLOTCLI_PER = 3000, PLOTCLI_INBOUND, PLOTCLI_ALL, PLOTCLI_YSCALE, PLOTCLI_ANNOTATE,
	PLOTCLI_SIZE, PLOTCLI_ICMP, PLOTCLI_INSPECT_BYTES, PLOTCLI_INSPECT_MEM,
};

/* Handles the PLOTCLI_* options; returns 0 or an exit code. */
int plotcli_opt(struct plotcli *p, int id, const char *arg);
/*
 * Checks --host; runs every capture; fills panels.  A host with no
 * outbound TCP/UDP contacts (a scan victim, a flood target) gets both
 * directions unless a direction was asked for.  Returns an exit code.
 */
int plotcli_collect(struct plotcli *p);
void plotcli_free(struct plotcli *p);
/* True when f ends in .png, .svg or .pdf (any case). */
bool plotcli_image_name(const char *f);
/* The renderers' view of a collected panel (render/ports_out.h). */
struct ports_view plotcli_view(const struct plotcli *p, const struct port_panel *pp);
/* Fills a plot panel from a collected one (ports_render_plot with p's options). */
int plotcli_to_plot(const struct plotcli *p, const struct port_panel *pp, struct plot_panel *out);

#endif
