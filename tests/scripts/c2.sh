#!/bin/sh
# c2.sh - C2 shapes on hand-made captures (tests/scripts/c2_pcap.py), no
# shared data needed: exfiltration by volume and asymmetry over a protocol
# no parser knows, and a heartbeat inside one TLS session; each also with
# a threshold raised past it (the rule, not the capture, decides).
. "$(dirname "$0")/lib.sh"
jq_true() { jq -e "$1" "$2" >/dev/null; }
if ! command -v python3 >/dev/null; then
	skip "python3 absent: no hand-made captures"
report c2
	exit $?
fi
python3 tests/scripts/c2_pcap.py "$TMP/vol.pcap" volume
python3 tests/scripts/c2_pcap.py "$TMP/tls.pcap" tls
python3 tests/scripts/c2_pcap.py "$TMP/submit.pcap" submit
python3 tests/scripts/c2_pcap.py "$TMP/poll.pcap" poll
python3 tests/scripts/c2_pcap.py "$TMP/poll-ip.pcap" poll-ip
python3 tests/scripts/c2_pcap.py "$TMP/bind.pcap" bind
python3 tests/scripts/c2_pcap.py "$TMP/reverse.pcap" reverse

bl report -q --no-geo --format json "$TMP/vol.pcap"
check "volume: exit 0" [ "$RC" -eq 0 ]
check "volume: exfiltration by volume to 203.0.113.7:7777" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "exfiltration" and .channel == "volume" and .server == "203.0.113.7" and .port == 7777 and .bytes == 301000 and .bytes_in == 120)' "$TMP/out"
check "volume: the server is notable, named by the behavior" jq_true \
	'any(.hosts[0].notable[]; .address == "203.0.113.7" and (.reason | startswith("exfiltration")))' "$TMP/out"
bl report -q --no-geo --format json --set volume.min_bytes=400000 "$TMP/vol.pcap"
check "volume: below volume.min_bytes, no exfiltration" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "exfiltration")] | length == 0' "$TMP/out"

bl report -q --no-geo --format json "$TMP/tls.pcap"
check "tls: a heartbeat inside one TLS session is a cnc_beacon with its period" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "cnc_beacon" and .channel == "regular records in a TLS session" and .period > 1.9 and .period < 2.1)' "$TMP/out"
check "tls: the SNI is an indicator" jq_true \
	'any(.hosts[0].indicators[]; .type == "domain" and .value == "updates.example.org")' "$TMP/out"
bl report -q --no-geo --format json --set session.tls_period_s=1 "$TMP/tls.pcap"
check "tls: records every 2 s are no beacon when the period bound is 1 s" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "cnc_beacon")] | length == 0' "$TMP/out"
bl report -q --no-geo --format json "$TMP/submit.pcap"
check "submit: bulk mail through authenticated submission is spam" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "spam" and .channel == "authenticated submission" and .recipients == 25)' "$TMP/out"
check "submit: ... and no exfiltration (an upload has few recipients)" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "exfiltration")] | length == 0' "$TMP/out"
bl report -q --no-geo --format json --set spam.bulk_rcpts=30 "$TMP/submit.pcap"
check "submit: 25 recipients in one message are no bulk when the bound is 30" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "spam")] | length == 0' "$TMP/out"
bl report -q --no-geo --format json "$TMP/poll.pcap"
check "poll: a named API polled over TLS with SNI every 30 s is no beacon" jq_true \
	'[.hosts[].behaviors[] | select(.malicious)] | length == 0' "$TMP/out"
bl report -q --no-geo --format json "$TMP/poll-ip.pcap"
check "poll-ip: the same to a nameless server without SNI is a regular cnc_beacon" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "cnc_beacon" and .period == 30 and .port == 443)' "$TMP/out"
bl report -q --no-geo --format json "$TMP/bind.pcap"
check "bind: the shell's client has a remote shell to the shell's port" jq_true \
	'any(.hosts[] | select(.address == "10.0.0.5") | .behaviors[]; .kind == "cnc_beacon" and .channel == "remote shell" and (.evidence | startswith("remote shell to 10.0.0.9:4444")))' "$TMP/out"
check "bind: the host that served it names its own port, then the peer" jq_true \
	'any(.hosts[] | select(.address == "10.0.0.9") | .behaviors[]; .kind == "cnc_beacon" and (.evidence | startswith("remote shell on port 4444 from 10.0.0.5")))' "$TMP/out"
check "bind: the side that sent commands controls the shell, an attacker (worker)" jq_true \
	'.hosts[] | select(.address == "10.0.0.5") | .role == "worker" and any(.behaviors[]; .kind == "cnc_beacon" and .side == "controller" and .role == "attacker" and .target == "10.0.0.9")' "$TMP/out"
check "bind: the side whose banner came back runs the shell, attacked (a bind shell)" jq_true \
	'.hosts[] | select(.address == "10.0.0.9") | any(.behaviors[]; .kind == "cnc_beacon" and .side == "shell" and .role == "target" and .attacker == "10.0.0.5") and (.verdict | test("was attacked"))' "$TMP/out"
bl report -q --no-geo --format json "$TMP/reverse.pcap"
check "reverse: the host's own shell connected out is a C2 channel, the host no attacker nor target" jq_true \
	'.hosts[] | select(.address == "10.0.0.5") | .role == "client" and .malicious and any(.behaviors[]; .kind == "cnc_beacon" and .side == "shell" and .role == null)' "$TMP/out"
report c2
