#!/bin/sh
# bench/plot.sh - `botlens plot` and `botlens ports` against `botlens flows`
# on the foundation benchmark's capture (bench/data/bulk.pcap, made by
# bench/run.sh), in one invocation, round-robin, RUNS times each; prints
# medians and the graphs issue's floors:
#   plot and ports wall time <= 1.5 x flows
#   peak RSS <= 1.2 x flows' RSS + the image buffer (W x H x 4 bytes)
#   plot --per packet wall time <= 2 x flows (issue 16; its RSS is shown)
# Exit status: 0 all floors pass, 1 a floor fails, 2 setup error.
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
	"$B/bench/timeit" "$T/plot" "$B/botlens" plot -q -o "$T/p.png" "$DATA" >/dev/null 2>&1
	"$B/bench/timeit" "$T/ports" "$B/botlens" ports -q -o "$T/h-%n.png" "$DATA" >/dev/null
	"$B/bench/timeit" "$T/perpkt" "$B/botlens" plot -q --per packet -o "$T/pp.png" "$DATA" >/dev/null 2>&1
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fw=$(cut -d' ' -f1 "$T/flows" | median); fr=$(cut -d' ' -f4 "$T/flows" | median)
img_kb=$(( 1800 * 634 * 4 / 1024 ))  # the largest default image (compare); plot is smaller
fail=0
printf '%-8s %8s %8s %10s\n' tool "wall s" "x flows" "RSS MiB"
printf '%-8s %8.3f %8.2f %10.1f\n' flows "$fw" 1 "$(echo "$fr / 1024" | bc -l)"
for t in plot ports; do
	w=$(cut -d' ' -f1 "$T/$t" | median); r=$(cut -d' ' -f4 "$T/$t" | median)
	ratio=$(echo "$w / $fw" | bc -l)
	printf '%-8s %8.3f %8.2f %10.1f\n' "$t" "$w" "$ratio" "$(echo "$r / 1024" | bc -l)"
	if [ "$(echo "$ratio <= 1.5" | bc -l)" -eq 1 ]; then v=PASS; else v=FAIL; fail=1; fi
	echo "$v  $t time <= 1.5 x flows ($(printf %.2f "$ratio")x)"
	lim=$(echo "1.2 * $fr + $img_kb" | bc -l)
	if [ "$(echo "$r <= $lim" | bc -l)" -eq 1 ]; then v=PASS; else v=FAIL; fail=1; fi
	echo "$v  $t RSS $(echo "$r / 1024" | bc -l | xargs printf %.1f) MiB <= 1.2 x flows + image = $(echo "$lim / 1024" | bc -l | xargs printf %.1f) MiB"
done
w=$(cut -d' ' -f1 "$T/perpkt" | median); r=$(cut -d' ' -f4 "$T/perpkt" | median)
ratio=$(echo "$w / $fw" | bc -l)
printf '%-8s %8.3f %8.2f %10.1f\n' perpkt "$w" "$ratio" "$(echo "$r / 1024" | bc -l)"
if [ "$(echo "$ratio <= 2" | bc -l)" -eq 1 ]; then v=PASS; else v=FAIL; fail=1; fi
echo "$v  plot --per packet time <= 2 x flows ($(printf %.2f "$ratio")x)"
exit $fail
