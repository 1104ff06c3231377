/*
 * jsonout.c - JSON lines through json-c with botlens's number convention
 * (see jsonout.h).  json-c writes a double with "%.17g" unless it is
 * given its text: jo_num gives it, so 0.1 stays "0.1".
 */
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonout.h"
#include "util/utf8.h"

struct json_object *jo_num(double v, const char *fmt)
{
	char b[64];
	if (!isfinite(v))
		return NULL;
	snprintf(b, sizeof b, fmt, v);
	if (strchr(b, '.') && !strchr(b, 'e')) {   /* no trailing zeros, no bare point */
		char *e = b + strlen(b);
		while (e[-1] == '0')
			*--e = 0;
		if (e[-1] == '.')
			e[-1] = 0;
	}
	if (!strcmp(b, "-0"))
		strcpy(b, "0");
	return json_object_new_double_s(strtod(b, NULL), b);
}

struct json_object *jo_str(const char *s)
{
	return s ? utf8_json_string(s) : NULL;
}

int jo_line(FILE *f, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	int rc = s && fputs(s, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
	json_object_put(o);
	return rc;
}
