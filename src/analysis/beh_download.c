/*
 * beh_download.c - `download`: executables fetched by the host (an
 * HTTP response with an "MZ" body or an executable content type, an
 * .exe/.dll URI, an FTP RETR of an .exe), with the URIs or file names;
 * the host may be the one fetching or, seen from an attacker, serving.
 */
#include <stdio.h>

#include "analysis/report-int.h"

static void download_run(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0;
	uint64_t n = 0;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!(f->facts & RPF_EXE))
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
	}
	if (!n)
		return;
	char file[200];
	if (!rp_ev_join(x->col, x->self, EV_EXE_FILE, 4, file, sizeof file))
		for (size_t i = 0; i < x->nfl && !file[0]; i++)   /* fetched from this host */
			if ((x->fl[i]->facts & RPF_EXE) && !rp_outbound(x, x->fl[i]))
				rp_ev_join(x->col, x->fl[i]->h[0], EV_EXE_FILE, 4, file, sizeof file);
	struct rp_beh *b = rp_beh_add(h, "download", s, e, n);
	if (!b)
		return;
	rp_kv_str(b, "files", file);
	rp_evidence(b, "%llu executable transfer%s (MZ body, executable type or name)%s%s",
		 (unsigned long long)n, n == 1 ? "" : "s", file[0] ? ": " : "", file);
}

const struct analysis analysis_download = { .name = "download", .run = download_run };
