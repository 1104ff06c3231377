/*
 * beh_smb.c - `exploit`: SMB exploitation traffic (EternalBlue's
 * oversized NT Trans followed by Trans2 Secondary; DoublePulsar's
 * Trans2 SESSION_SETUP, proto_smb.c: not other Trans2 subcommands, which
 * are ordinary file access), in either direction; and `smb_propagation`:
 * the host opens SMB sessions to at least 5 distinct hosts, as worms do.
 * Also `exploit`: a session to an RPC/SMB port (135, 139, 445) carrying
 * at least 1000 bytes, followed within 120 s by command-shell text
 * between the same two hosts (a bind or reverse shell); the host that
 * sent those bytes is the attacker, the one that received them the target.
 */
#include <stdio.h>
#include <stdlib.h>

#include "analysis/report-int.h"

static const struct rp_rule rules[] = {
	{ "smb.propagation_targets", 5, 1, 1e6, "distinct hosts with an established SMB session" },
	{ "smb.shell_window_s", 120, 0, 86400, "command-shell text this soon after an RPC/SMB payload is an exploit" },
	{ "smb.rpc_payload_bytes", 1000, 0, 1e9, "bytes to 135/139/445 before such a shell" },
};

static bool rpc_port(uint16_t p)
{
	return p == 135 || p == 139 || p == 445;
}

static void shell_exploit(const struct rp_ctx *x, struct rp_host *h)
{
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *sh = x->fl[i];
		if (!(sh->facts & RPF_SHELL))
			continue;
		for (size_t k = 0; k < i; k++) {
			const struct rp_flow *ex = x->fl[k];
			bool pair = (ex->h[0] == sh->h[0] && ex->h[1] == sh->h[1]) ||
				    (ex->h[0] == sh->h[1] && ex->h[1] == sh->h[0]);
			if (!pair || !rpc_port(ex->dport) || ex->bytes[0] < rp_param(x, &rules[2]) || sh->t0 - ex->t0 > rp_param(x, &rules[1]))
				continue;
			struct rp_beh *b = rp_beh_add(h, "exploit", ex->t0, sh->t1, 2);
			if (!b)
				return;
			/* the side that sent the payload is the attacker, the other its target */
			bool target = !rp_outbound(x, ex);
			const struct host *p = rp_peer(x, ex);
			char a[64] = "?";
			if (p)
				decode_addr_str(p->family, p->addr, a, sizeof a);
			rp_kv_str(b, "technique", "remote exploit then command shell");
			rp_kv_str(b, "role", target ? "target" : "attacker");
			rp_kv_str(b, target ? "attacker" : "target", a);
			rp_kv_num(b, "port", ex->dport);
			rp_kv_num(b, "shell_port", sh->dport);
			rp_evidence(b, "%u bytes %s %s port %u, then command-shell text on port %u %.0f s later",
				    ex->bytes[0], target ? "received from" : "sent to", a, ex->dport, sh->dport,
				    (double)(sh->t0 - ex->t0));
			return;
		}
	}
}

static int smb_run(const struct rp_ctx *x, struct rp_host *h)
{
	shell_exploit(x, h);
	double s = -1, e = 0, ps = -1, pe = 0;
	uint64_t n = 0, nt = 0, t2 = 0, pn = 0, targets = 0, inbound = 0;
	uint32_t peer = 0;
	uint8_t *seen = calloc(x->nhosts + 1, 1);
	if (!seen)
		return -1;
	for (size_t i = 0; i < x->nfl; i++) {
		const struct rp_flow *f = x->fl[i];
		if (f->proto != 6 || (f->dport != 445 && f->dport != 139))
			continue;
		if (f->facts & (RPF_SMB_NTTRANS | RPF_SMB_TRANS2)) {
			if (s < 0)
				s = f->t0;
			e = f->t1 > e ? f->t1 : e;
			n++;
			nt += (f->facts & RPF_SMB_NTTRANS) != 0;
			t2 += (f->facts & RPF_SMB_TRANS2) != 0;
			inbound += !rp_outbound(x, f);
			peer = rp_outbound(x, f) ? f->h[1] : f->h[0];
		}
		if (rp_outbound(x, f) && f->h[1] <= x->nhosts && (f->facts & RPF_TCP_EST)) {
			if (ps < 0)
				ps = f->t0;
			pe = f->t1 > pe ? f->t1 : pe;
			pn++;
			if (!seen[f->h[1]] && (seen[f->h[1]] = 1))   /* a flag: a counter would wrap */
				targets++;
		}
	}
	free(seen);
	struct rp_beh *b;
	if (n && (b = rp_beh_add(h, "exploit", s, e, n))) {
		const char *what = nt ? "eternalblue (SMBv1 NT Trans overflow)" : "doublepulsar (SMBv1 Trans2 backdoor)";
		rp_kv_str(b, "technique", what);
		rp_kv_num(b, "nt_trans_flows", (double)nt);
		rp_kv_num(b, "trans2_flows", (double)t2);
		char a[64] = "?";
		if (peer && peer <= x->nhosts)
			decode_addr_str(x->hosts[peer - 1]->family, x->hosts[peer - 1]->addr, a, sizeof a);
		bool target = inbound * 2 > n;   /* the SMB server side: the exploit came in */
		rp_kv_str(b, "role", target ? "target" : "attacker");
		rp_kv_str(b, target ? "attacker" : "target", a);
		rp_evidence(b, "%s %s %s: %llu SMB flows with large NT Trans, %llu with Trans2 SESSION_SETUP", what,
			    target ? "received from" : "sent to", a, (unsigned long long)nt, (unsigned long long)t2);
	}
	if (targets >= rp_param(x, &rules[0]) && (b = rp_beh_add(h, "smb_propagation", ps, pe, pn))) {
		rp_kv_num(b, "targets", (double)targets);
		rp_evidence(b, "SMB sessions to %llu hosts", (unsigned long long)targets);
	}
	return 0;
}

const struct analysis analysis_smb = { .name = "smb", .run = smb_run, .kinds = "exploit,smb_propagation",
	.rules = rules, .nrules = sizeof rules / sizeof *rules };
