/*
 * zeek.h - Zeek's logs (conn.log, notice.log) through the table writer's
 * TABLE_ZEEK format: Zeek's column lists and types, epoch timestamps and
 * Zeek-style connection uids that do not collide across captures.
 */
#ifndef BOTLENS_ZEEK_H
#define BOTLENS_ZEEK_H

#include "engine/run.h"
#include "render/table.h"

/* conn.log's columns and types (Zeek 6's conn.log without the optional ones). */
extern const char *const zeek_conn_cols[];
extern const char *const zeek_conn_types[];
extern const unsigned zeek_conn_ncols;

/*
 * The uid of flow `id` of the capture at path whose first record is at
 * start_ns: "C" + 17 base62 digits of SHA-1(start_ns, path,
 * id).  Deterministic (a rerun gives the same uids), distinct across
 * captures and flows.  buf holds at least 19 bytes.
 */
void zeek_uid(int64_t start_ns, const char *path, uint64_t id, char *buf, size_t len);
/* A files.log fuid: "F" + 17 base62 digits, as zeek_uid over the flow and the flow's n-th file. */
void zeek_fuid(int64_t start_ns, const char *path, uint64_t id, unsigned n, char *buf, size_t len);
/* Zeek's time value: epoch seconds with microseconds, "1300475167.096535". */
void zeek_ts(int64_t ns, char *buf, size_t len);
/* Zeek's service name of a botlens application protocol ("tls" -> "ssl"), NULL for NULL. */
const char *zeek_service(const char *app);
/* One conn.log row of f; service NULL = unset. */
void zeek_conn_row(struct table *t, const struct run *r, const struct flow *f, const char *service);

struct rp_report;
/* notice.log's columns and types. */
extern const char *const zeek_notice_cols[];
extern const char *const zeek_notice_types[];
extern const unsigned zeek_notice_ncols;
/* One notice.log row per behavior of every host of rep (note "Botlens::KIND"). */
void zeek_notice_rows(struct table *t, const struct rp_report *rep);

/* ---- zeek_tx.c: dns.log, http.log, ssl.log, smtp.log, files.log ---- */
enum { ZT_DNS, ZT_HTTP, ZT_SSL, ZT_SMTP, ZT_FILES, ZT_NLOGS };
struct zeek_log_def {
	const char *path;           /* "dns": #path, and DIR/dns.log */
	const char *const *cols, *const *types;
	unsigned ncols;
};
extern const struct zeek_log_def zeek_tx_logs[ZT_NLOGS];
struct zeek_tx;
struct rp_ev_event;
/* Rows go to tabs[ZT_*], TABLE_ZEEK tables made with zeek_tx_logs' columns. NULL: out of memory. */
struct zeek_tx *zeek_tx_new(struct table *tabs);
/* The collector's per-finding hook (rp_col_on_ev(col, zeek_tx_event, z)). */
void zeek_tx_event(void *ctx, const struct rp_ev_event *e);
/* Flow f ended (after the collector saw its end): its rows, then its findings are freed. */
void zeek_tx_flow_end(struct zeek_tx *z, const struct run *r, const struct flow *f);
/* True when a finding could not be kept for want of memory. */
bool zeek_tx_oom(const struct zeek_tx *z);
void zeek_tx_free(struct zeek_tx *z);

#endif
