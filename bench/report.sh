#!/bin/sh
# bench/report.sh - `botlens report` (text, with AS enrichment) against
# `botlens flows` on the foundation benchmark's capture
# (bench/data/bulk.pcap, made by bench/run.sh), round-robin, RUNS times
# each; prints medians and the deep-inspection issue's floors:
#   report wall time <= 2 x flows (nDPI, libhtp, TLS reassembly included),
#   report peak RSS <= flows' + 128 bytes per flow + 16 MiB (the documented
#   caps: the per-flow record, nDPI's module and the bounded tables)
# `report --no-dpi` is timed too, for information.
# The HTML report (16 inline SVG plots here) is measured against the same
# bounds for information: the issue's floors are the text report's.
# Exit status: 0 both floors pass, 1 a floor fails, 2 setup error.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
B=${BUILD:-build}
DATA=${DATA:-bench/data/bulk.pcap}  # DATA=bench/data/heavy.pcap: the flow-heavy one (issue 16)
[ -f "$DATA" ] || { echo "bench: $DATA missing: run bench/run.sh first" >&2; exit 2; }
make -s BUILD="$B" bench-tools >/dev/null 2>&1 || { echo "bench: build failed" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat "$DATA" >/dev/null
for i in $(seq "$RUNS"); do
	"$B/bench/timeit" "$T/flows" "$B/botlens" flows -q -o /dev/null "$DATA"
	"$B/bench/timeit" "$T/report" "$B/botlens" report -q -o "$T/r.txt" "$DATA"
	"$B/bench/timeit" "$T/html" "$B/botlens" report -q -o "$T/r.html" "$DATA"
	"$B/bench/timeit" "$T/nodpi" "$B/botlens" report -q --no-dpi -o "$T/r2.txt" "$DATA"
done
nflows=$("$B/botlens" info --format json "$DATA" | sed -E 's/.*"flows":\{"total":([0-9]+).*/\1/')
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fw=$(cut -d' ' -f1 "$T/flows" | median); fr=$(cut -d' ' -f4 "$T/flows" | median)
fail=0
printf '%-8s %8s %8s %10s %8s\n' tool "wall s" "x flows" "RSS MiB" "x flows"
printf '%-8s %8.3f %8.2f %10.1f %8.2f\n' flows "$fw" 1 "$(echo "$fr / 1024" | bc -l)" 1
for t in report html nodpi; do
	w=$(cut -d' ' -f1 "$T/$t" | median); r=$(cut -d' ' -f4 "$T/$t" | median)
	ratio=$(echo "$w / $fw" | bc -l); rr=$(echo "$r / $fr" | bc -l)
	cap=$(echo "($fr + $nflows * 128 / 1024 + 16384)" | bc -l)
	printf '%-8s %8.3f %8.2f %10.1f %8.2f\n' "$t" "$w" "$ratio" "$(echo "$r / 1024" | bc -l)" "$rr"
	note=""  # the issue's floors are the text report's; html and --no-dpi are shown against them
	[ "$t" = report ] || note=" (information, not a floor)"
	if [ "$(echo "$ratio <= 2" | bc -l)" -eq 1 ]; then v=PASS; else v=FAIL; [ -n "$note" ] || fail=1; fi
	echo "$v  $t time <= 2 x flows ($(printf %.2f "$ratio")x)$note"
	if [ "$(echo "$r <= $cap" | bc -l)" -eq 1 ]; then v=PASS; else v=FAIL; [ -n "$note" ] || fail=1; fi
	echo "$v  $t RSS <= flows + 128 B x $nflows flows + 16 MiB ($(printf %.1f "$(echo "$r / 1024" | bc -l)") <= $(printf %.1f "$(echo "$cap / 1024" | bc -l)") MiB)$note"
done
exit $fail
