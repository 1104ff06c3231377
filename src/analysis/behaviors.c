/*
 * behaviors.c - the behavior detector table (analysis/beh_*.c), run in
 * this order for each sandbox host.
 */
#include "analysis/report-int.h"

extern const struct analysis analysis_time_sync, analysis_dns, analysis_p2p, analysis_beacon,
	analysis_spam, analysis_web, analysis_download, analysis_irc, analysis_scan, analysis_flood,
	analysis_serve, analysis_smb, analysis_ping, analysis_exfil, analysis_session, analysis_stage,
	analysis_tunnel, analysis_tlsc2, analysis_exploit, analysis_volume, analysis_dga, analysis_brute;

const struct analysis *const rp_analyses[] = {
	&analysis_time_sync, &analysis_dns, &analysis_p2p, &analysis_beacon, &analysis_spam,
	&analysis_web, &analysis_download, &analysis_irc, &analysis_scan, &analysis_flood,
	&analysis_serve, &analysis_smb, &analysis_ping, &analysis_exfil, &analysis_session, &analysis_stage, &analysis_tunnel, &analysis_tlsc2,
	&analysis_exploit, &analysis_volume, &analysis_dga, &analysis_brute,
};
const size_t rp_nanalyses = sizeof rp_analyses / sizeof *rp_analyses;
