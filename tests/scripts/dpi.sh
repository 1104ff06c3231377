#!/bin/sh
# dpi.sh - nDPI in `botlens report` (analysis/dpi.c): per host a "services"
# object (nDPI name -> flows) and a "risks" object (nDPI risk name ->
# flows) in JSON, their line in the text report and their table in HTML,
# on a synthetic Storm run; on the real captures in ../shared/data/pcap/real
# (skipped when absent) the names and risks nDPI is known to give.
. "$(dirname "$0")/lib.sh"

jq_true() { jq -e "$1" "$2" >/dev/null; }

# --- synthetic Storm run ---
"$BOTLENS" synth --scenario storm-private -o "$TMP/storm.pcap" >/dev/null 2>&1
bl report --no-geo --format json -o "$TMP/storm.json" "$TMP/storm.pcap"
check "storm: report exits 0" [ "$RC" -eq 0 ]
check "storm: a non-empty services object" jq_true '.hosts[0].services | type == "object" and length > 0' "$TMP/storm.json"
check "storm: services beside protocols, risks an object" \
	jq_true '.hosts | all(has("protocols") and (.services|type=="object") and (.risks|type=="object"))' "$TMP/storm.json"
check "storm: DNS and SMTP named by nDPI" jq_true '.hosts[0].services | has("DNS") and has("SMTP")' "$TMP/storm.json"
check "storm: counts are positive integers, no more than the host's flows" \
	jq_true '.hosts | all(([.services[]] | all(type=="number" and . > 0 and floor == .)) and ([.services[]] | add // 0) <= .flows_out + .flows_in)' "$TMP/storm.json"
check "storm: botlens's own parsers keep Overnet" jq_true '.hosts[0].protocols.overnet > 0' "$TMP/storm.json"
bl report --no-geo --no-dpi --format json "$TMP/storm.pcap"
check "--no-dpi: empty services and risks, the rest as before" \
	jq_true '.hosts[0] | (.services | length == 0) and (.risks | length == 0) and .protocols.overnet > 0' "$TMP/out"
bl report --no-geo "$TMP/storm.pcap"
check "text: a services line" grep -q '^  services (nDPI): ' "$TMP/out"
bl report --no-geo -o "$TMP/storm.html" "$TMP/storm.pcap"
check "html: a services and risks table" grep -q '<h3>Services and risks (nDPI)</h3>' "$TMP/storm.html"

# --- real captures ---
REAL=$DATA/pcap/real
if [ -r "$REAL/ndpi__reddit.pcap" ]; then
	bl report --no-geo --format json "$REAL/ndpi__reddit.pcap"
	check "reddit: TLS services (TLS.Reddit, TLS.Google)" \
		jq_true '.hosts[0].services | has("TLS.Reddit") and has("TLS.Google") and ([keys[] | select(startswith("TLS"))] | length) >= 3' "$TMP/out"
	check "reddit: TLS flows left other by botlens are none (nDPI fills them)" \
		jq_true '.hosts[0].protocols.tls >= 59' "$TMP/out"
else
	skip "ndpi__reddit.pcap absent ($REAL)"
fi
if [ -r "$REAL/markofu__xscan_capture.pcap" ]; then
	bl report --no-geo --format json "$REAL/markofu__xscan_capture.pcap"
	check "xscan: SMBv1 named and flagged" \
		jq_true '[.hosts[] | select(.services["NetBIOS.SMBv1"] > 0 and .risks["SMB Insecure Version"] > 0)] | length > 0' "$TMP/out"
else
	skip "markofu__xscan_capture.pcap absent ($REAL)"
fi
if [ -r "$REAL/markofu__TCP_SYN_SCAN.pcap" ]; then
	bl report --no-geo --format json "$REAL/markofu__TCP_SYN_SCAN.pcap"
	check "syn scan: no risk from a port guess" jq_true '.hosts | all(.risks | length == 0)' "$TMP/out"
else
	skip "markofu__TCP_SYN_SCAN.pcap absent ($REAL)"
fi

report dpi
