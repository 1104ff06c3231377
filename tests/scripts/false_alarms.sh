#!/bin/sh
# false_alarms.sh - no malicious claim on ordinary traffic.
#  1. hand-made pairs (tests/scripts/fa_pcap.py): an ordinary shape that once drew a false alarm
#     must draw none, and its malicious twin must still be reported (so the check can fail);
#  2. a sweep of a fixed third of tcpdump's test captures (../shared/data/pcap/tcpdump-tests:
#     routing protocols, NFS, SMB, DNS, NTP, VoIP, tunnels, broken packets), skipped with a
#     reason when the data is absent: every malicious claim is printed and their number may
#     not exceed FA_MAX (the figure reached; raise it only with a reason).
. "$(dirname "$0")/lib.sh"
FA_MAX=0

gen() { python3 tests/scripts/fa_pcap.py "$TMP/$1.pcap" "$1"; }
# kinds MODE: the malicious kinds reported for fa_pcap.py's MODE, sorted, one line
kinds() {
	gen "$1"
	"$BOTLENS" report -q --no-geo --format json "$TMP/$1.pcap" 2>/dev/null |
		jq -r '[.hosts[].behaviors[] | select(.malicious) | .kind] | unique | join(",")'
}
pair() {   # pair ORDINARY MALICIOUS KIND
	checkc "$1: no malicious claim" "[ -z \"\$(kinds $1)\" ]"
	checkc "$2: $3 still reported" "kinds $2 | grep -qw $3"
}
pair zeros noise download          # filler bodies are no payload
pair trans2 pulsar exploit         # Trans2 file access is no DoublePulsar
pair loopback remote cnc_beacon    # one machine talking to itself is no C2
pair irc-chat irc-bot irc_cnc      # IRC chat is no botnet control
pair poll-sni tick-sni cnc_beacon  # polling a server the client names is no beacon
pair offline sweep scan            # retrying resolved servers is no sweep
# a session seen mid-way is the client's: from a fixed port to an ephemeral one, the sender serves
gen midstream
"$BOTLENS" report -q --no-geo --format json "$TMP/midstream.pcap" >"$TMP/midstream.json" 2>/dev/null
checkc "midstream: the client holds the session to the server's port" \
	"jq -e 'any(.hosts[] | select(.address == \"10.0.0.5\") | .behaviors[];
		.kind == \"cnc_beacon\" and (.evidence | test(\"to 203.0.113.9:9001\")))' '$TMP/midstream.json' >/dev/null"
# an exploit's target is not its attacker: the side that sent the payload is
gen smbshell
"$BOTLENS" report -q --no-geo --format json "$TMP/smbshell.pcap" >"$TMP/smbshell.json" 2>/dev/null
checkc "smbshell: the sender of the exploit is its attacker, the receiver its target" \
	"jq -e '[.hosts[] | {a: .address, r: [.behaviors[] | select(.kind == \"exploit\") | .role]}] |
		any(.a == \"10.0.0.66\" and .r == [\"attacker\"]) and any(.a == \"10.0.0.9\" and .r == [\"target\"])' \
		'$TMP/smbshell.json' >/dev/null"

TD=$DATA/pcap/tcpdump-tests
if [ -d "$TD" ]; then
	# every third capture by name, and those that once drew a false alarm
	ls "$TD" | awk 'NR % 3 == 0' >"$TMP/list"
	for f in accecn_handshake.pcap of13_ericsson.pcapng resp_3_malicious.pcap smb_data_print-segv.pcap \
		smb_data_print-oobr.pcapng; do
		echo "$f" >>"$TMP/list"
	done
	sort -u "$TMP/list" | sed "s|^|$TD/|" | tr '\n' '\0' |
		xargs -0 "$BOTLENS" report -q --no-geo --format json >"$TMP/sweep.json" 2>/dev/null
	jq -r '.file as $f | .hosts[] | .address as $h | .behaviors[] | select(.malicious) |
		"claim: \($f | sub(".*/"; "")) \($h) \(.kind): \(.evidence)"' "$TMP/sweep.json" >"$TMP/claims"
	cat "$TMP/claims"
	n=$(wc -l <"$TMP/claims")
	runs=$(wc -l <"$TMP/sweep.json")
	echo "tcpdump-tests: $runs captures, $n malicious claims (at most $FA_MAX)"
	checkc "tcpdump-tests: reports for the captures swept" "[ $runs -ge 250 ]"
	checkc "tcpdump-tests: $n malicious claims <= $FA_MAX" "[ $n -le $FA_MAX ]"
else
	skip "tcpdump-tests captures absent ($TD)"
fi
report false_alarms
