/*
 * info_out.h - the summary of one capture pass (engine/run.h) for
 * `botlens info`: built as a json-c object, written as JSON by the
 * caller, as text or as key/value rows here.
 */
#ifndef BOTLENS_INFO_OUT_H
#define BOTLENS_INFO_OUT_H

#include <stdint.h>
#include <stdio.h>

#include "engine/run.h"

struct json_object;

/* The flows_by_proto slot of an IP protocol: 0 tcp, 1 udp, 2 icmp (and ICMPv6), 3 other. */
unsigned info_flow_class(uint8_t proto);
/* The summary of pass r (after run_loop); flows_by_proto: tcp, udp, icmp, other; the sandbox hosts by
 * hosttab_select(host_family, host_addr).  The caller puts the object. */
struct json_object *info_summary(const struct run *r, const uint64_t flows_by_proto[4], uint8_t host_family,
				 const uint8_t *host_addr);
/* The summary as text: "key value" lines, objects nested with indentation. */
void info_render_text(FILE *f, struct json_object *o, int indent);
/* The summary as "prefix.key<sep>value" rows (sep: tab or comma). */
void info_render_kv(FILE *f, struct json_object *o, const char *prefix, char sep);

#endif
