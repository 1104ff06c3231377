#!/bin/sh
# inspect.sh - the inspection limits of `botlens report` and `plot
# --annotate explain`: --inspect-bytes (each flow direction's budget) and
# --inspect-mem (the cap on all parser and reassembly buffers).  Past the
# cap new flows get metadata only and the report counts them: JSON
# .inspection.refused_flows, a line in the text report, a paragraph in the
# HTML page.  Bad sizes exit 2 with one error line.
. "$(dirname "$0")/lib.sh"
# fontconfig's per-process cache (the plot below) is not a botlens leak (tests/lsan.supp)
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

jq_true() { jq -e "$1" "$2" >/dev/null; }

"$BOTLENS" synth --scenario storm-private --duration 600 --seed 5 -o "$TMP/s.pcap" >/dev/null 2>&1
check "synth for the inspection test" [ -s "$TMP/s.pcap" ]

# defaults: the limits are reported, nothing refused
bl report --no-geo --format json -o "$TMP/d.json" "$TMP/s.pcap"
check "defaults: exit 0" [ "$RC" -eq 0 ]
check "defaults: 64 KiB budget, 256 MiB cap, no flow refused" \
	jq_true '.inspection == {"budget_bytes": 65536, "memory_cap_bytes": 268435456, "refused_flows": 0}' "$TMP/d.json"
bl report --no-geo -o "$TMP/d.txt" "$TMP/s.pcap"
checkc "defaults: the text report says nothing of refusals" '! grep -q "refused at the memory cap" "$TMP/d.txt"'

# a 1 KiB cap: no parser state fits, the flows that wanted one are counted
bl report --no-geo --format json --inspect-mem 1K -o "$TMP/m.json" "$TMP/s.pcap"
check "--inspect-mem 1K: exit 0" [ "$RC" -eq 0 ]
check "--inspect-mem 1K: the cap in JSON, refused flows counted" \
	jq_true '.inspection.memory_cap_bytes == 1024 and .inspection.refused_flows > 0' "$TMP/m.json"
checkc "--inspect-mem 1K: the sandbox host is still reported (from metadata)" \
	'[ "$(jq -r ".hosts[0].address" "$TMP/m.json")" = "$(jq -r ".hosts[0].address" "$TMP/d.json")" ]'
n=$(jq '.inspection.refused_flows' "$TMP/m.json")
bl report --no-geo --inspect-mem 1K -o "$TMP/m.txt" "$TMP/s.pcap"
checkc "--inspect-mem 1K: the text report says how many flows were refused" \
	'grep -q "^inspection: $n flows\{0,1\} refused at the memory cap (1024 bytes)" "$TMP/m.txt"'
bl report --no-geo --inspect-mem 1K -o "$TMP/m.html" "$TMP/s.pcap"
checkc "--inspect-mem 1K: the HTML page too" 'grep -q "Inspection: $n flows\{0,1\} refused at the memory cap" "$TMP/m.html"'
bl report --no-geo --format json --inspect-mem 1M --inspect-bytes 2k -o "$TMP/b.json" "$TMP/s.pcap"
check "--inspect-bytes 2k --inspect-mem 1M: exit 0, both in JSON" \
	jq_true '.inspection.budget_bytes == 2048 and .inspection.memory_cap_bytes == 1048576' "$TMP/b.json"

# plot --annotate explain takes the same options
bl plot --annotate explain --inspect-mem 1K --inspect-bytes 4K -o "$TMP/p.png" "$TMP/s.pcap"
check "plot --annotate explain --inspect-mem 1K: exit 0, an image" [ "$RC" -eq 0 -a -s "$TMP/p.png" ]

# bad sizes: exit 2, one clear error naming the option and the value
for bad in 0 12Q -5 2T 1.5M "" 512 " 64K" 99999999999999999999K; do
	"$BOTLENS" report --inspect-mem "$bad" "$TMP/s.pcap" >"$TMP/o" 2>"$TMP/e"
	rc=$?
	checkc "report --inspect-mem '$bad': exit 2, the error names it" \
		'[ "$rc" -eq 2 ] && grep -q "^botlens: invalid --inspect-mem '"'$bad'"'" "$TMP/e" && [ ! -s "$TMP/o" ]'
done
"$BOTLENS" report --inspect-bytes 2G "$TMP/s.pcap" >/dev/null 2>"$TMP/e"
rc=$?
checkc "report --inspect-bytes 2G (over 1G): exit 2" '[ "$rc" -eq 2 ] && grep -q "invalid --inspect-bytes" "$TMP/e"'
"$BOTLENS" plot --annotate explain --inspect-bytes x -o "$TMP/q.png" "$TMP/s.pcap" >/dev/null 2>"$TMP/e"
rc=$?
checkc "plot --inspect-bytes x: exit 2" '[ "$rc" -eq 2 ] && grep -q "invalid --inspect-bytes" "$TMP/e"'
"$BOTLENS" report -h >"$TMP/h" 2>&1
checkc "report --help lists both options" 'grep -q -- "--inspect-bytes N" "$TMP/h" && grep -q -- "--inspect-mem N" "$TMP/h"'
report inspect
