/*
 * beh_download.c - `download`: executable code fetched by the host.
 *
 * HTTP: a 2xx response judged a download by proto_http.c
 * (RPF2_HTTP_DOWNLOAD): a body whose magic is PE, ELF, a Java class, JAR,
 * SWF, Silverlight XAP or PDF; an executable or plug-in content type
 * (application/x-msdownload, x-dosexec, java-vm, java-archive,
 * x-shockwave-flash ...); or application/octet-stream with a file type by
 * magic, an executable file name (Content-Disposition or URI) or a body
 * of >= 4 KiB.  A Debian or RPM package (by content type, or a .deb/.rpm
 * fetched by a package manager's User-Agent) never counts: that is a
 * system update, not a payload.  Other protocols: an FTP RETR of an
 * executable name (RPF_EXE).  A PE stage over raw TCP is beh_stage.c's.
 *
 * Evidence: what was fetched as proto_http.c wrote it (EV_HTTP_DOWNLOAD:
 * "type N B content-type URI-or-file-name"; FTP: the file names), kv url,
 * type, bytes of the first one.  The host may be the one fetching or, seen
 * from the attacker, the one serving: `side` says which (served: none of
 * the transfers was fetched by the host), and the evidence names the
 * client a server served.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report-int.h"

static bool is_download(const struct rp_flow *f)
{
	if (f->app == RP_APP_HTTP)
		return (f->facts2 & RPF2_HTTP_DOWNLOAD) != 0;
	return (f->facts & RPF_EXE) != 0;
}

/* Splits "TYPE N B CTYPE NAME" (proto_http.c's evidence) into kv. */
static void file_kv(struct rp_beh *b, const char *first)
{
	char type[24], ctype[64];
	unsigned long long bytes = 0;
	int at = 0;
	if (sscanf(first, "%23s %llu B %63s %n", type, &bytes, ctype, &at) != 3 || !at) {
		rp_kv_str(b, "url", first);   /* FTP: a file name */
		return;
	}
	rp_kv_str(b, "url", first + at);
	rp_kv_str(b, "type", type);
	rp_kv_str(b, "content_type", ctype);
	rp_kv_num(b, "bytes", (double)bytes);
}

static int download_run(const struct rp_ctx *x, struct rp_host *h)
{
	double s = -1, e = 0;
	uint64_t n = 0;
	uint32_t client = 0;
	bool fetched = false;   /* the host fetched at least one; else it only served them */
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (!is_download(f))
			continue;
		if (s < 0)
			s = f->t0;
		e = f->t1 > e ? f->t1 : e;
		n++;
		if (!client || rp_outbound(x, f))
			client = f->h[0];
		fetched |= rp_outbound(x, f);
	}
	if (!n)
		return 0;
	char file[240], first[RP_EV_LEN];
	unsigned cat = rp_ev_total(x->col, client, EV_HTTP_DOWNLOAD) ? EV_HTTP_DOWNLOAD : EV_EXE_FILE;
	rp_ev_join(x->col, client, cat, 4, file, sizeof file);
	rp_ev_join(x->col, client, cat, 1, first, sizeof first);
	struct rp_beh *b = rp_beh_add(h, "download", s, e, n);
	if (!b)
		return 0;
	if (first[0])
		file_kv(b, first);
	rp_kv_str(b, "files", file);
	rp_kv_str(b, "side", fetched ? "fetched" : "served");
	char to[80] = "";
	const struct host *c = !fetched && client && client <= x->nhosts ? x->hosts[client - 1] : NULL;
	if (c) {   /* seen from the server (an attacker's FTP or web server): say to whom */
		char a[64];
		decode_addr_str(c->family, c->addr, a, sizeof a);
		snprintf(to, sizeof to, " served to %s", a);
	}
	rp_evidence(b, "%llu executable or code transfer%s%s (file magic, executable content type or name)%s%s",
		    (unsigned long long)n, n == 1 ? "" : "s", to, file[0] ? ": " : "", file);
	return 0;
}

const struct analysis analysis_download = { .name = "download", .run = download_run, .kinds = "download" };
