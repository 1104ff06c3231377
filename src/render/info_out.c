/*
 * info_out.c - the capinfos-like summary of one pass (`botlens info`):
 * format, link types, counts, time span, protocol mix, flows per
 * protocol, anomalies, sandbox hosts, status; as a JSON object, as
 * indented text, or as key/value rows.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "render/info_out.h"
#include "util/utf8.h"
#include "render/table.h"

static void add_u64(json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? utf8_json_string(v) : NULL);  /* a Latin-1 file name: U+FFFD */
}

static json_object *proto_mix(const struct run *r)
{
	const struct decode_stats *s = &r->dec.stats;
	json_object *p = json_object_new_object();
	add_u64(p, "ipv4", s->ipv4);
	add_u64(p, "ipv6", s->ipv6);
	add_u64(p, "tcp", s->tcp);
	add_u64(p, "udp", s->udp);
	add_u64(p, "icmp", s->icmp);
	add_u64(p, "icmpv6", s->icmpv6);
	add_u64(p, "other_ip", s->other_l4);
	add_u64(p, "non_ip", s->non_ip);
	add_u64(p, "fragments", s->fragments);
	add_u64(p, "tunneled", s->tunneled);
	add_u64(p, "snap_truncated", s->snap_truncated);
	return p;
}

static json_object *sandbox_hosts(const struct run *r, uint8_t host_family, const uint8_t *host_addr)
{
	json_object *a = json_object_new_array();
	const struct host *sb[16];
	unsigned n = hosttab_select(r->hosts, host_family, host_addr, sb, 16);
	for (unsigned i = 0; i < n; i++) {
		char buf[64];
		json_object *h = json_object_new_object();
		decode_addr_str(sb[i]->family, sb[i]->addr, buf, sizeof buf);
		add_str(h, "address", buf);
		json_object_object_add(h, "internal", json_object_new_boolean(sb[i]->internal));
		add_u64(h, "flows_orig", sb[i]->flows_orig);
		add_u64(h, "flows_resp", sb[i]->flows_resp);
		add_u64(h, "peers", sb[i]->peers);
		json_object_array_add(a, h);
	}
	return a;
}

unsigned info_flow_class(uint8_t proto)
{
	return proto == 6 ? 0 : proto == 17 ? 1 : (proto == 1 || proto == 58) ? 2 : 3;
}

json_object *info_summary(const struct run *r, const uint64_t flows_by_proto[4], uint8_t host_family,
			  const uint8_t *host_addr)
{
	json_object *o = json_object_new_object();
	char buf[64];
	add_str(o, "file", r->path);
	add_str(o, "format", cap_format_name(r->cap));
	json_object_object_add(o, "gzip", json_object_new_boolean(cap_gzipped(r->cap)));
	add_str(o, "byte_order", cap_big_endian(r->cap) ? "big" : "little");
	if (cap_format(r->cap) == CAP_FMT_PCAPNG)
		add_u64(o, "sections", cap_section_count(r->cap));
	json_object *lts = json_object_new_array();
	for (unsigned i = 0; i < cap_iface_count(r->cap); i++) {
		int lt = cap_iface_linktype(r->cap, i);
		const char *n = cap_linktype_name(lt);
		snprintf(buf, sizeof buf, "%s (%d)", n ? n : "unknown", lt);
		json_object_array_add(lts, json_object_new_string(buf));
	}
	json_object_object_add(o, "link_types", lts);
	add_u64(o, "packets", r->records);
	if (r->opts->filter) {
		add_str(o, "filter", r->opts->filter);
		add_u64(o, "packets_matched", r->matched);
	}
	add_u64(o, "bytes", r->wire_bytes);
	add_u64(o, "captured_bytes", r->cap_bytes);
	if (r->have_time) {
		time_iso8601(r->first_ns, buf, sizeof buf);
		add_str(o, "first", buf);
		time_iso8601(r->last_ns, buf, sizeof buf);
		add_str(o, "last", buf);
		snprintf(buf, sizeof buf, "%.6f", (double)(r->last_ns - r->first_ns) / 1e9);
		json_object_object_add(o, "duration", json_object_new_double_s(atof(buf), buf));
	}
	json_object_object_add(o, "protocols", proto_mix(r));
	json_object *fl = json_object_new_object();
	add_u64(fl, "total", flowtab_total(r->flows));
	add_u64(fl, "tcp", flows_by_proto[0]);
	add_u64(fl, "udp", flows_by_proto[1]);
	add_u64(fl, "icmp", flows_by_proto[2]);
	add_u64(fl, "other", flows_by_proto[3]);
	json_object_object_add(o, "flows", fl);
	add_u64(o, "hosts", hosttab_count(r->hosts));
	json_object *an = json_object_new_object();
	for (int i = 0; i < ANOM_COUNT; i++)
		if (r->dec.anomalies[i])
			add_u64(an, decode_anomaly_name((enum decode_anomaly)i), r->dec.anomalies[i]);
	json_object_object_add(o, "anomalies", an);
	json_object_object_add(o, "sandbox_hosts", sandbox_hosts(r, host_family, host_addr));
	add_str(o, "status", r->status == CAP_EOF ? "ok" : "damaged");
	if (r->status != CAP_EOF)
		add_str(o, "error", r->err);
	return o;
}

void info_render_text(FILE *f, json_object *o, int indent)
{
	json_object_object_foreach(o, k, v) {
		enum json_type t = json_object_get_type(v);
		if (t == json_type_object) {
			fprintf(f, "%*s%s:\n", indent, "", k);
			if (json_object_object_length(v) == 0)
				fprintf(f, "%*s(none)\n", indent + 2, "");
			info_render_text(f, v, indent + 2);
		} else if (t == json_type_array) {
			fprintf(f, "%*s%-*s ", indent, "", 24 - indent, k);
			size_t n = json_object_array_length(v);
			for (size_t i = 0; i < n; i++) {
				json_object *e = json_object_array_get_idx(v, i);
				json_object *addr;
				if (json_object_object_get_ex(e, "address", &addr))
					fprintf(f, "%s%s (%s flows originated)", i ? ", " : "",
						json_object_get_string(addr),
						json_object_get_string(json_object_object_get(e, "flows_orig")));
				else
					fprintf(f, "%s%s", i ? ", " : "", json_object_get_string(e));
			}
			fputs(n ? "\n" : "(none)\n", f);
		} else {
			fprintf(f, "%*s%-*s %s\n", indent, "", 24 - indent, k, json_object_get_string(v));
		}
	}
}

void info_render_kv(FILE *f, json_object *o, const char *prefix, char sep)
{
	json_object_object_foreach(o, k, v) {
		char key[128];
		snprintf(key, sizeof key, "%s%s", prefix, k);
		if (json_object_get_type(v) == json_type_object) {
			strncat(key, ".", sizeof key - strlen(key) - 1);
			info_render_kv(f, v, key, sep);
		} else if (json_object_get_type(v) == json_type_array) {
			fprintf(f, "%s%c%s\n", key, sep, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		} else {
			fprintf(f, "%s%c%s\n", key, sep, json_object_get_string(v));
		}
	}
}

