/*
 * clock.c - a time into the capture as an analyst reads it: "mm:ss", or
 * "h:mm:ss" past an hour (report texts, evidence, the verdict).  On its own
 * so that the collector's files (ident.c) need nothing of the report.
 */
#include <stdio.h>

#include "analysis/report.h"

void rp_clock(double t, char *buf, size_t len)
{
	if (t < 0)
		t = 0;
	unsigned s = (unsigned)(t + 0.5);
	if (s >= 3600)
		snprintf(buf, len, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%02u:%02u", s / 60, s % 60);
}
