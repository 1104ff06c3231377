/*
 * size_out.h - writing botnet size results (p2p/p2p.h): the crawl table
 * (text, with the truth columns when there is truth), JSON lines (one per
 * crawl, then a summary), the series (TSV or an image) and the passive
 * count.  Writers never print elsewhere.
 */
#ifndef BOTLENS_SIZE_OUT_H
#define BOTLENS_SIZE_OUT_H

#include <stdio.h>

#include "p2p/p2p.h"

void size_render_text(FILE *f, const struct size_report *r);
void size_render_json(FILE *f, const struct size_report *r);
/* Effective size, responsive IDs, joined + returned and left per crawl; path's extension picks PNG, SVG or PDF.
 * 0, or -1 with err filled. */
int size_render_plot(const struct size_report *r, const char *path, char *err, size_t errlen);
void size_render_series_tsv(FILE *f, const struct size_report *r);
/* Per bin: distinct peers, new peers, cumulative, messages; then the totals. */
void size_render_passive(FILE *f, const struct size_passive *sp);

#endif
