#!/bin/sh
# detect.sh - detectors on hand-made captures (tests/scripts/det_pcap.py),
# no shared data needed, each with a positive and a negative case: Storm's
# key from a few long-lived peers (the per-flow datagram sampler).
. "$(dirname "$0")/lib.sh"
jq_true() { jq -e "$1" "$2" >/dev/null; }
if ! command -v python3 >/dev/null || ! command -v jq >/dev/null; then
	skip "python3 or jq absent: no hand-made captures"
	report detect
	exit $?
fi
gen() { python3 tests/scripts/det_pcap.py "$TMP/$1.pcap" "$1"; }

# --- keyed P2P with three long-lived peers: samples spread over each flow ---
gen storm3
gen udp3
bl report -q --no-geo --format json "$TMP/storm3.pcap"
check "storm3: Overnet under Storm's XOR key recognised with 3 long-lived peers" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "p2p" and .protocol == "overnet (storm xor)" and .peers == 3)' "$TMP/out"
"$BOTLENS" botnet-size --from-capture "$TMP/storm3.pcap" --xor-key auto >/dev/null 2>"$TMP/err"
check "storm3: botnet-size recovers the key from the same sampler" grep -q 'Storm XOR key recovered' "$TMP/err"
bl report -q --no-geo --format json "$TMP/udp3.pcap"
check "udp3: fixed-format datagrams with 3 peers make no key (nothing past the header fits)" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "p2p")] | length == 0' "$TMP/out"
"$BOTLENS" botnet-size --from-capture "$TMP/udp3.pcap" --xor-key auto >/dev/null 2>"$TMP/err"
check "udp3: botnet-size finds no key either" grep -q 'no Storm XOR key' "$TMP/err"

report detect
