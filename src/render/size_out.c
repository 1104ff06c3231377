/*
 * size_out.c - botnet size (p2p/size.c) as text and JSON lines, its
 * per-crawl series as TSV or a line plot, and the passive peer count per
 * time bin: the renderers of `botlens botnet-size`.
 */
#include <json-c/json.h>
#include <stdlib.h>

#include "render/plot.h"
#include "render/size_out.h"
#include "util/jsonout.h"

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

static void add_int(json_object *o, const char *k, long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/* JSON lines through json-c: a "crawl" object per crawl, then the "summary". */
void size_render_json(FILE *f, const struct size_report *r)
{
	for (unsigned i = 0; i < r->n; i++) {
		const struct size_crawl *c = &r->c[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string("crawl"));
		add_int(o, "crawl", i);
		json_object_object_add(o, "start", jo_num(c->start, "%.3f"));
		json_object_object_add(o, "end", jo_num(c->end, "%.3f"));
		add_int(o, "effective", c->responsive_addrs);
		add_int(o, "responsive_ids", c->responsive_ids);
		add_int(o, "known", c->known);
		add_int(o, "unresponsive", c->unresponsive_addrs);
		add_int(o, "joined", c->joined);
		add_int(o, "returned", c->returned);
		add_int(o, "left", c->left);
		add_int(o, "id_joined", c->id_joined);
		add_int(o, "id_left", c->id_left);
		add_int(o, "sybil_ids", c->sybil_ids);
		if (r->have_truth) {
			add_int(o, "truth_online", c->truth_online);
			add_int(o, "truth_reachable", c->truth_reachable);
			add_int(o, "truth_nat_online", c->truth_nat);
			add_int(o, "nat_invisible", c->nat_invisible);
			add_int(o, "truth_stable", c->truth_stable);
			add_int(o, "found_stable", c->found_stable);
			add_int(o, "truth_joined", c->truth_joined);
			add_int(o, "truth_left", c->truth_left);
			json_object_object_add(o, "error_pct", jo_num(pct(c->responsive_addrs, c->truth_reachable), "%.3f"));
			add_int(o, "truth_missed", c->truth_missed);
			add_int(o, "truth_false", c->truth_false);
			add_int(o, "truth_unprobed", c->truth_unprobed);
			add_int(o, "truth_reachable_during", c->truth_reachable_during);
			json_object_object_add(o, "error_during_pct",
					       jo_num(pct(c->responsive_addrs, c->truth_reachable_during), "%.3f"));
			add_int(o, "truth_joined_during", c->truth_joined_during);
			add_int(o, "truth_left_during", c->truth_left_during);
		}
		jo_line(f, o);
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "type", json_object_new_string("summary"));
	add_int(o, "crawls", r->n);
	add_int(o, "total_ids", r->total_ids);
	add_int(o, "total_addrs", r->total_addrs);
	add_int(o, "aliased_addrs", r->aliased_addrs);
	add_int(o, "max_ids_per_addr", r->max_ids_per_addr);
	add_int(o, "sybil_hosts", r->sybil_hosts);
	add_int(o, "sybil_clusters", r->sybil_clusters);
	json_object_object_add(o, "invisible_reason",
			       json_object_new_string("advertised by peers, never answered: behind NAT, firewalled or offline"));
	if (r->have_truth) {
		add_int(o, "truth_total_ids", r->truth_total_ids);
		json_object_object_add(o, "truth_definition", json_object_new_string(
			"truth_reachable: reachable bots online at the instant the crawler sent an Identify to their address "
			"(online during the crawl if never probed); *_during: online at any time in [start, end]"));
	}
	jo_line(f, o);
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
