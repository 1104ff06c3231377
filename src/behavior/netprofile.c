/*
 * netprofile.c - a capture as a behavior report: the network profile.
 *
 * Families can be learned from traffic alone: the capture is read in one
 * pass by the engine (engine/run.h) and every flow, when it ends, becomes
 * one event, so the embedder's n-grams see sequences of flows as they
 * see sequences of API calls.  Tokens follow the report levels (the MIST
 * idea of abstraction levels):
 *   level 1:  net.<proto>.<service>                 e.g. net.udp.dns
 *   level 2:  + .<dir>.<state>.<size>.<duration>    e.g. net.tcp.smtp.out.SF.s10k.d10
 * service: the well-known name of the responder's port (the table of
 * analysis/ports.c, shared with `botlens ports`), else its class
 * (low < 1024, reg < 49152, dyn); dir: out when the originator is an
 * internal address (the sandbox side), in otherwise; size: total payload
 * in decades (s0, s100, s1k, s10k, s100k, sbig); duration in decades of
 * seconds (d0 under 10 ms, d1, d10, d60, dlong).
 */
#include "behavior/behavior.h"
#include "analysis/ports.h"
#include "engine/run.h"

#include <stdio.h>
#include <string.h>

static const char *service(uint16_t port, char *buf, size_t len)
{
	const char *name = ports_service_name(port);
	if (name)
		return name;
	snprintf(buf, len, "%s", port < 1024 ? "low" : port < 49152 ? "reg" : "dyn");
	return buf;
}

static const char *size_class(uint64_t bytes)
{
	return bytes == 0 ? "s0" : bytes < 100 ? "s100" : bytes < 1000 ? "s1k" : bytes < 10000 ? "s10k"
	       : bytes < 100000 ? "s100k" : "sbig";
}

static const char *duration_class(int64_t ns)
{
	return ns < 10000000 ? "d0" : ns < 1000000000 ? "d1" : ns < 10000000000LL ? "d10"
	       : ns < 60000000000LL ? "d60" : "dlong";
}

struct np {
	const struct bh_parse_opts *o;
	const struct bh_sink *k;
	uint64_t events;
};

static void on_flow_end(void *ctx, const struct run *r, const struct flow *f)
{
	struct np *x = ctx;
	char pb[8], sb[8], tok[128];
	const char *proto = flow_proto_str(f, pb, sizeof pb);
	const char *svc = f->proto == 1 || f->proto == 58 ? "icmp" : service(f->resp_p, sb, sizeof sb);
	int n;
	if (x->o->level <= 1)
		n = snprintf(tok, sizeof tok, "net.%s.%s", proto, svc);
	else
		n = snprintf(tok, sizeof tok, "net.%s.%s.%s.%s.%s.%s", proto, svc,
			     decode_addr_internal(f->family, f->orig) ? "out" : "in", flow_conn_state(f),
			     size_class(f->payload[0] + f->payload[1]), duration_class(f->last_ns - f->first_ns));
	if (n > 0)
		x->k->event(x->k->ctx, tok, (size_t)n < sizeof tok ? (size_t)n : sizeof tok - 1);
	x->events++;
}

bool bh_is_capture(const uint8_t *p, size_t n, const char *name)
{
	if (cap_magic(p, n))
		return true;
	/* gzip-compressed captures go to the engine, which reads gzip itself */
	size_t l = strlen(name);
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b &&
	       ((l > 8 && !strcmp(name + l - 8, ".pcap.gz")) || (l > 10 && !strcmp(name + l - 10, ".pcapng.gz")) ||
		(l > 9 && !strcmp(name + l - 9, ".pcap_.gz")));
}

int bh_parse_capture(const char *path, const struct bh_parse_opts *o, const struct bh_sink *k,
		     char *err, size_t errlen)
{
	struct run_opts ro = { .reader = CAP_READER_NATIVE, .track_flows = true, .threads = 1 };
	flow_cfg_default(&ro.flow);
	struct run r;
	char e[CAP_ERRLEN];
	if (run_open(&r, path, &ro, e, sizeof e) < 0) {
		snprintf(err, errlen, "%s", e);
		run_close(&r);
		return -1;
	}
	struct np x = { .o = o, .k = k };
	struct run_sub sub = { .ctx = &x, .flow_end = on_flow_end };
	int st = run_loop(&r, &sub, 1);
	int rc = 0;
	if (st != CAP_EOF) {
		snprintf(err, errlen, "%s", r.err);
		rc = -1;
	}
	run_close(&r);
	return rc;
}
