/*
 * size_out.c - botnet size (p2p/size.c) as text and JSON lines, its
 * per-crawl series as TSV or a line plot, and the passive peer count per
 * time bin: the renderers of `botlens botnet-size`.
 */
#include <stdlib.h>

#include "render/plot.h"
#include "render/size_out.h"

static double pct(long measured, long truth)
{
	return truth > 0 ? 100.0 * (double)(measured - truth) / (double)truth : 0;
}

void size_render_text(FILE *f, const struct size_report *r)
{
	fprintf(f, "crawl\tstart\tduration\teffective\tresponsive_ids\tunresponsive\tjoined\treturned\tleft");
	if (r->have_truth)
		fprintf(f, "\ttruth_reachable\terror_pct\tmissed\tfalse\tunprobed\tcoverage_pct\ttruth_nat_online\tnat_invisible"
		       "\ttruth_joined\ttruth_left\ttruth_reachable_during\terror_during_pct\ttruth_joined_during"
		       "\ttruth_left_during");
	fprintf(f, "\n");
	for (unsigned i = 0; i < r->n; i++) {
		const struct size_crawl *c = &r->c[i];
		fprintf(f, "%u\t%.3f\t%.1f\t%u\t%u\t%u\t%u\t%u\t%u", i, c->start, c->end - c->start, c->responsive_addrs,
		       c->responsive_ids, c->unresponsive_addrs, c->joined, c->returned, c->left);
		if (r->have_truth)
			fprintf(f, "\t%ld\t%+.2f\t%ld\t%ld\t%ld\t%.2f\t%ld\t%ld\t%ld\t%ld\t%ld\t%+.2f\t%ld\t%ld",
			       c->truth_reachable, pct(c->responsive_addrs, c->truth_reachable), c->truth_missed,
			       c->truth_false, c->truth_unprobed,
			       c->truth_stable > 0 ? 100.0 * (double)c->found_stable / (double)c->truth_stable : 0,
			       c->truth_nat, c->nat_invisible, c->truth_joined, c->truth_left, c->truth_reachable_during,
			       pct(c->responsive_addrs, c->truth_reachable_during), c->truth_joined_during,
			       c->truth_left_during);
		fprintf(f, "\n");
	}
	fprintf(f, "\ntotal distinct IDs (responsive): %u\n", r->total_ids);
	fprintf(f, "total distinct addresses (responsive): %u\n", r->total_addrs);
	fprintf(f, "addresses with more than one ID (ID aliasing): %u (at most %u IDs on one address)\n",
	       r->aliased_addrs, r->max_ids_per_addr);
	fprintf(f, "suspected sybil hosts (>= %d IDs on one IP in a crawl): %u; ID clusters (>= 3 IDs sharing 32 bits): %u\n",
	       SIZE_SYBIL_IDS, r->sybil_hosts, r->sybil_clusters);
	if (r->n) {
		const struct size_crawl *c = &r->c[r->n - 1];
		fprintf(f, "invisible: %u addresses advertised by peers never answered (behind NAT, firewalled or offline: "
		       "a crawler cannot tell which)\n", c->unresponsive_addrs);
		if (r->have_truth)
			fprintf(f, "truth: %ld NAT'd bots were online and %ld of them invisible to the crawl (NAT drops unsolicited requests)\n",
			       c->truth_nat, c->nat_invisible);
	}
	if (r->have_truth) {
		fprintf(f, "truth: %ld distinct bot IDs over the run (against %u seen)\n", r->truth_total_ids, r->total_ids);
		fprintf(f, "truth_reachable: reachable bots online at the instant the crawler sent an Identify to their address "
		       "(online during the crawl if never probed); *_during: online at any time in the crawl\n");
	}
}

void size_render_json(FILE *f, const struct size_report *r)
{
	for (unsigned i = 0; i < r->n; i++) {
		const struct size_crawl *c = &r->c[i];
		fprintf(f, "{\"type\":\"crawl\",\"crawl\":%u,\"start\":%.3f,\"end\":%.3f,\"effective\":%u,\"responsive_ids\":%u,"
		       "\"known\":%u,\"unresponsive\":%u,\"joined\":%u,\"returned\":%u,\"left\":%u,\"id_joined\":%u,"
		       "\"id_left\":%u,\"sybil_ids\":%u",
		       i, c->start, c->end, c->responsive_addrs, c->responsive_ids, c->known, c->unresponsive_addrs,
		       c->joined, c->returned, c->left, c->id_joined, c->id_left, c->sybil_ids);
		if (r->have_truth)
			fprintf(f, ",\"truth_online\":%ld,\"truth_reachable\":%ld,\"truth_nat_online\":%ld,\"nat_invisible\":%ld,"
			       "\"truth_stable\":%ld,\"found_stable\":%ld,\"truth_joined\":%ld,\"truth_left\":%ld,"
			       "\"error_pct\":%.3f,\"truth_missed\":%ld,\"truth_false\":%ld,\"truth_unprobed\":%ld,"
			       "\"truth_reachable_during\":%ld,\"error_during_pct\":%.3f,\"truth_joined_during\":%ld,"
			       "\"truth_left_during\":%ld",
			       c->truth_online, c->truth_reachable, c->truth_nat, c->nat_invisible, c->truth_stable,
			       c->found_stable, c->truth_joined, c->truth_left, pct(c->responsive_addrs, c->truth_reachable),
			       c->truth_missed, c->truth_false, c->truth_unprobed, c->truth_reachable_during,
			       pct(c->responsive_addrs, c->truth_reachable_during), c->truth_joined_during,
			       c->truth_left_during);
		fprintf(f, "}\n");
	}
	fprintf(f, "{\"type\":\"summary\",\"crawls\":%u,\"total_ids\":%u,\"total_addrs\":%u,\"aliased_addrs\":%u,"
	       "\"max_ids_per_addr\":%u,\"sybil_hosts\":%u,\"sybil_clusters\":%u,"
	       "\"invisible_reason\":\"advertised by peers, never answered: behind NAT, firewalled or offline\"",
	       r->n, r->total_ids, r->total_addrs, r->aliased_addrs, r->max_ids_per_addr, r->sybil_hosts,
	       r->sybil_clusters);
	if (r->have_truth)
		fprintf(f, ",\"truth_total_ids\":%ld,\"truth_definition\":\"truth_reachable: reachable bots online at the "
		       "instant the crawler sent an Identify to their address (online during the crawl if never probed); "
		       "*_during: online at any time in [start, end]\"",
		       r->truth_total_ids);
	fprintf(f, "}\n");
}

/* The series as an image: effective size (addresses, IDs), joined, left per crawl. */
int size_render_plot(const struct size_report *r, const char *path, char *err, size_t errlen)
{
	double *v = calloc((size_t)r->n * 5 + 1, sizeof *v);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	double *x = v, *ea = v + r->n, *ei = v + 2 * r->n, *jn = v + 3 * r->n, *lf = v + 4 * r->n;
	for (unsigned i = 0; i < r->n; i++) {
		x[i] = r->c[i].start - r->c[0].start;
		ea[i] = r->c[i].responsive_addrs;
		ei[i] = r->c[i].responsive_ids;
		jn[i] = (double)r->c[i].joined + r->c[i].returned;
		lf[i] = r->c[i].left;
	}
	struct plot_lines ps = { .title = "botnet size per crawl", .xlabel = "time since the first crawl (s)",
				  .x = x, .y = { ea, ei, jn, lf }, .n = r->n, .nseries = 4,
				  .names = { "effective size (addresses)", "responsive IDs", "joined + returned",
					     "left" } };
	int rc = plot_lines_render(&ps, path, err, errlen);
	free(v);
	return rc;
}

void size_render_series_tsv(FILE *f, const struct size_report *r)
{
	fprintf(f, "# crawl\ttime\teffective\tresponsive_ids\tunresponsive\tjoined\treturned\tleft\n");
	for (unsigned i = 0; i < r->n; i++)
		fprintf(f, "%u\t%.3f\t%u\t%u\t%u\t%u\t%u\t%u\n", i, r->c[i].start, r->c[i].responsive_addrs,
			r->c[i].responsive_ids, r->c[i].unresponsive_addrs, r->c[i].joined, r->c[i].returned,
			r->c[i].left);
}

void size_render_passive(FILE *f, const struct size_passive *sp)
{
	unsigned total = 0;
	fprintf(f, "bin_start\tpeers\tnew_peers\tcumulative\tmessages\n");
	for (unsigned i = 0; i < sp->nbins; i++) {
		total += sp->bins[i].new_peers;
		fprintf(f, "%.3f\t%u\t%u\t%u\t%u\n", sp->bins[i].t, sp->bins[i].peers, sp->bins[i].new_peers, total,
			sp->bins[i].msgs);
	}
	fprintf(f, "\ndistinct Overnet peers: %u in %llu messages (%llu with the 0xE3 magic that did not decode)\n",
		total, (unsigned long long)sp->msgs, (unsigned long long)sp->bad);
}
