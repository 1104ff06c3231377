#!/bin/sh
# rules.sh - the detectors as data: `report --explain-rules`, `--set`,
# `--rules FILE`, their errors, and that a threshold changes a verdict.
. "$(dirname "$0")/lib.sh"

bl report --explain-rules
check "--explain-rules exits 0" [ "$RC" -eq 0 ]
check "--explain-rules lists kinds with malice and role" grep -Eq '^  spam +malicious +role worker' "$TMP/out"
check "--explain-rules lists a detector's thresholds" grep -Eq '^  session\.hold_s +30 ' "$TMP/out"

"$BOTLENS" synth --scenario storm-private -o "$TMP/s.pcap" >/dev/null 2>&1
bl report --set nosuch.rule=1 "$TMP/s.pcap"
check "--set of an unknown rule is exit 2" [ "$RC" -eq 2 ]
check "... and says so" grep -q "no such rule" "$TMP/err"
bl report --set beacon.regular_jitter=7 "$TMP/s.pcap"
check "--set out of range is exit 2" [ "$RC" -eq 2 ]
bl report --set beacon.regular_jitter "$TMP/s.pcap"
check "--set without a value is exit 2" [ "$RC" -eq 2 ]
printf '# thresholds\nbeacon.regular_beats = 8\n' >"$TMP/bad.rules"
bl report --rules "$TMP/bad.rules" "$TMP/s.pcap"
check "--rules with a bad line is exit 2" [ "$RC" -eq 2 ]
check "... naming the file and line" grep -q "bad.rules:2:" "$TMP/err"
bl report --rules "$TMP/none.rules" "$TMP/s.pcap"
check "--rules of a missing file is exit 3" [ "$RC" -eq 3 ]

bl report -q --format json "$TMP/s.pcap"
n0=$(jq '[.hosts[0].behaviors[] | select(.kind == "cnc_beacon")] | length' "$TMP/out")
printf '# no reconnect beacon can qualify\nbeacon.regular_beats=1000\nbeacon.content_posts=1000\nbeacon.poll_beats=1000\n' >"$TMP/strict.rules"
bl report -q --format json --rules "$TMP/strict.rules" "$TMP/s.pcap"
n1=$(jq '[.hosts[0].behaviors[] | select(.kind == "cnc_beacon")] | length' "$TMP/out")
checkc "the storm run beacons by default ($n0)" '[ "${n0:-0}" -ge 1 ]'
checkc "strict thresholds from --rules remove its reconnect beacons ($n0 -> $n1)" '[ "${n1:-9}" -lt "${n0:-0}" ]'
report rules
