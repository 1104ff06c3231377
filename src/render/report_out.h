/*
 * report_out.h - writing a run's explanation (analysis/report.h) as text,
 * JSON (schema in doc/report-schema.md), one self-contained HTML page,
 * a STIX 2.1 bundle or indicator CSV.
 * Writers never print elsewhere; they return 0 or -1 with err filled.
 */
#ifndef BOTLENS_REPORT_OUT_H
#define BOTLENS_REPORT_OUT_H

#include <stdio.h>

#include "analysis/report.h"

int report_text(FILE *out, const struct rp_report *rep);
/* pretty: indented; else one line (JSON lines: one report per line, doc/json.md). */
int report_json(FILE *out, const struct rp_report *rep, bool pretty);
/* The page frame around one or more reports. */
int report_html_begin(FILE *out, const char *title);
/* One report's sections; nth (0, 1, ...) makes its anchors unique in the page: #rN, #rN-hK. */
int report_html(FILE *out, const struct rp_report *rep, unsigned nth, char *err, size_t errlen);
/* The contents entry of report nth: the capture and per host its verdict, linking to them. */
int report_html_toc(FILE *out, const struct rp_report *rep, unsigned nth);
/* The contents box around n bytes of report_html_toc() entries. */
int report_html_nav(FILE *out, const char *entries, size_t n);
int report_html_end(FILE *out);
/* A STIX 2.1 bundle of the indicators, observed data, malware and C&C
 * infrastructure (report_stix.c); pretty: indented, else one line. */
int report_stix(FILE *out, const struct rp_report *rep, bool pretty);
/* Indicators as CSV: type,value,behavior,first_seen,host,file (header: the first line). */
int report_csv_ioc(FILE *out, const struct rp_report *rep, bool header);
/* "N hosts explained (S sandbox, K suspect)", or "1 host explained (--host)":
 * the header line of text and HTML (report_text.c). */
void report_hosts_line(const struct rp_report *rep, char *buf, size_t len);
/* "mm:ss" or "h:mm:ss" of seconds since the start. */
void report_clock(double t, char *buf, size_t len);

#endif
