/*
 * protos.c - the protocol detector table, tried in this order on a
 * flow's first payload (specific headers before text protocols, and IRC
 * before FTP, whose USER line is shorter).  ICMP tunnels come first: an
 * echo payload is an inner packet, whatever text it carries.
 */
#include "analysis/report-int.h"

extern const struct rp_proto proto_icmp, proto_dns, proto_ntp, proto_overnet, proto_kad, proto_btdht,
	proto_gnutella, proto_edonkey, proto_tls, proto_http, proto_smtp, proto_irc, proto_ftp, proto_smb, proto_shell, proto_dcerpc, proto_stage,
	proto_ssh;

const struct rp_proto *const rp_protos[] = {
	&proto_icmp, &proto_dns, &proto_ntp, &proto_overnet, &proto_kad, &proto_btdht, &proto_gnutella, &proto_edonkey,
	&proto_tls, &proto_ssh, &proto_http, &proto_smtp, &proto_irc, &proto_ftp, &proto_smb, &proto_dcerpc, &proto_shell, &proto_stage,
};
const size_t rp_nprotos = sizeof rp_protos / sizeof *rp_protos;
