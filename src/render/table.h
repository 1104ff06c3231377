/*
 * table.h - record output as TSV, CSV or JSON lines.
 *
 * A table has a fixed list of column names; each row sets values in the
 * column order.  TSV and CSV print a header row (unless disabled); JSON
 * prints one object per row with the column names as keys (JSON lines).
 * Strings are escaped per format (CSV per RFC 4180, JSON per RFC 8259,
 * TSV replaces tab/newline by spaces).  Absent values: "-" in TSV (as
 * Zeek does), empty in CSV, null in JSON.
 *
 * TABLE_ZEEK is Zeek's ASCII log format: a header of #separator,
 * #set_separator, #empty_field, #unset_field, #path, #open, #fields and
 * #types lines (table_zeek() gives the path, the types and the #open
 * time), tab-separated rows with "-" unset and "(empty)" empty, tabs,
 * backslashes and control bytes as \xNN, and a #close line
 * (table_close()).  The header is always written.  TABLE_ZEEK_JSON is
 * Zeek's JSON log form: JSON lines with unset fields left out.
 */
#ifndef BOTLENS_TABLE_H
#define BOTLENS_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum table_format { TABLE_TSV, TABLE_CSV, TABLE_JSON, TABLE_ZEEK, TABLE_ZEEK_JSON };

struct table {
	FILE *f;
	enum table_format fmt;
	const char *const *cols;
	unsigned ncols;
	unsigned col;       /* next column of the current row */
	bool header;        /* print a header row */
	bool started;
	bool row_open;      /* JSON: the current row's '{' is written */
	bool batch;         /* keep rows in buf until it is nearly full (table_batch) */
	unsigned len;       /* bytes of the current row in buf, written at the row's end */
	const char *zpath;  /* TABLE_ZEEK: #path, #types (ncols of them), #open */
	const char *const *ztypes;
	int64_t zopen_ns;
	char buf[16384];    /* batched, a flush writes past stdio's buffer, uncopied */
};

/* Parses "tsv", "csv", "json", "zeek", "zeek-json"; returns -1 if unknown. */
int table_format_parse(const char *s);

void table_init(struct table *t, FILE *f, enum table_format fmt,
		const char *const *cols, unsigned ncols, bool header);
/* TABLE_ZEEK: the log's #path, its column types and the #open time
 * (set before the header is written; the first row writes it). */
void table_zeek(struct table *t, const char *path, const char *const *types, int64_t open_ns);
/* TABLE_ZEEK: the header if no row came, then "#close" at close_ns; other formats: nothing. */
void table_close(struct table *t, int64_t close_ns);
/*
 * Rows are written with one fwrite each, at their end, so they reach the
 * FILE in order with anything else written to it.  A caller that writes
 * nothing else to the FILE until table_close() or table_flush() may let
 * rows gather in the table's buffer instead (one fwrite per ~4 KiB: a
 * million-row table spends less in stdio).  Not on a terminal.
 */
void table_batch(struct table *t);
void table_flush(struct table *t);
/* Prints the header row now (also when no row follows). */
void table_begin(struct table *t);
void table_str(struct table *t, const char *s);       /* NULL = absent */
/* A number already formatted (s): unquoted in JSON, as text elsewhere. */
void table_num_str(struct table *t, const char *s);
void table_u64(struct table *t, uint64_t v);
void table_i64(struct table *t, int64_t v);
void table_f64(struct table *t, double v, int decimals);
/* A duration or relative time in ns, printed as seconds with 6 decimals. */
void table_ns(struct table *t, int64_t ns);
void table_bool(struct table *t, bool v);
/* A Zeek set/vector of n strings (n == 0: unset): ','-joined, JSON an array. */
void table_set(struct table *t, const char *const *v, unsigned n);
void table_null(struct table *t);
void table_end_row(struct table *t);
/*
 * A whole row formatted by the caller (TSV or CSV, with its newline and
 * every value already escaped), for writers of many rows that build them
 * in one go: table_row_begin() writes the header if due and returns where
 * the row goes (room for max <= 1024 bytes), table_row_end() takes the
 * row's end.  table_put_u64 and table_put_ns write at p what table_u64
 * and table_ns print and return the end (at most 20 and 27 bytes, no
 * terminating NUL).
 */
char *table_row_begin(struct table *t, size_t max);
void table_row_end(struct table *t, char *end);
char *table_put_u64(char *p, uint64_t v);
char *table_put_ns(char *p, int64_t ns);

/* Escapes s as a JSON string literal (with quotes) onto f. */
void json_put_string(FILE *f, const char *s);

/* Formats ns-since-epoch as ISO 8601 UTC with microseconds: 2008-04-01T12:00:00.000123Z. */
void time_iso8601(int64_t ts_ns, char *buf, size_t len);

#endif
