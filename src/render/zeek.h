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

#endif
