/*
 * jsonout.h - JSON lines through json-c with botlens's conventions
 * (doc/json.md): numbers with the precision they have (a printf format
 * says it; trailing zeros dropped, never a double's noise), strings
 * UTF-8-checked, absent values null, one object per line.
 */
#ifndef BOTLENS_JSONOUT_H
#define BOTLENS_JSONOUT_H

#include <stdio.h>

struct json_object;

/* v formatted with fmt ("%.4f", "%.6g"), trailing zeros cut ("0.5", "3"); NULL (null) when not finite. */
struct json_object *jo_num(double v, const char *fmt);
/* s as a JSON string (invalid UTF-8 bytes as U+FFFD); NULL (null) for NULL. */
struct json_object *jo_str(const char *s);
/* Writes o on one line (no slash escaping) and a newline, then frees o; -1 when f failed. */
int jo_line(FILE *f, struct json_object *o);

#endif
