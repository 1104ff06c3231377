#!/bin/sh
# bench/stages.sh - where the time of `botlens flows` goes, stage by stage,
# and what the fastest two-thread pass could be (bench/RESULTS.md, issue 16).
# On a capture (default: the flow-heavy bench/data/heavy.pcap), in one
# thread, in round-robin order RUNS times each (medians):
#   build/bench/stages read FILE    read + decode (the reader stage alone)
#   build/bench/stages flows FILE   + the flow table (no rows)
#   botlens flows --threads 1 FILE  + the rows written (-o /dev/null)
#   botlens flows FILE              the default pass: two threads
#   build/bench/pcaploop FILE       a bare libpcap loop, for the floor
# and prints each stage's cost (differences of the medians), their sum,
# half of it (a perfect split over two cores with no hand-off cost: the
# least any two-thread design of these stages can take) and both against
# the libpcap loop.  Information only: exit 0, or 2 on a setup error.
# Environment: RUNS (5), BUILD (build), DATA (bench/data/heavy.pcap;
# generated with gen_bulk -m heavy if missing).
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
B=${BUILD:-build}
DATA=${DATA:-bench/data/heavy.pcap}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
die() { echo "bench: $*" >&2; exit 2; }

make -s BUILD="$B" bench-tools >"$T/make.log" 2>&1 || { tail -3 "$T/make.log" >&2; die "make bench-tools failed"; }
if [ ! -s "$DATA" ]; then
	[ "$DATA" = bench/data/heavy.pcap ] || die "no $DATA"
	mkdir -p bench/data
	echo "bench: generating $DATA" >&2
	"$B/bench/gen_bulk" -s 1 -n 1800000 -m heavy -o "$DATA" || die "generation failed"
fi
cp "$B/botlens" "$T/botlens"   # a snapshot: others may rebuild meanwhile

run() {  # run NAME CMD...
	name=$1
	shift
	"$B/bench/timeit" "$T/$name" "$@" >/dev/null 2>"$T/$name.err" || { tail -3 "$T/$name.err" >&2; die "$name failed"; }
}
cat "$DATA" >/dev/null
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
i=1
while [ "$i" -le "$RUNS" ]; do
	echo "bench: round $i of $RUNS" >&2
	run reader "$B/bench/stages" read "$DATA"
	run table "$B/bench/stages" flows "$DATA"
	run serial "$T/botlens" flows -q --threads 1 -o /dev/null "$DATA"
	run two "$T/botlens" flows -q -o /dev/null "$DATA"
	run pcaploop "$B/bench/pcaploop" "$DATA"
	i=$((i + 1))
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
med() {  # med NAME: median wall seconds
	cut -d' ' -f1 "$T/$1" | sort -n | awk '{ w[NR] = $1 } END { printf "%.4f", NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2 }'
}
echo "botlens $(git describe --always --dirty 2>/dev/null || echo unknown), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "capture: $DATA ($(stat -c %s "$DATA") bytes); runs: $RUNS each, medians; load $LOAD0 -> $LOAD1"
awk -v r="$(med reader)" -v t="$(med table)" -v s="$(med serial)" -v two="$(med two)" -v p="$(med pcaploop)" 'BEGIN {
	printf "%-44s %8s %9s\n", "stage (one thread)", "wall s", "x pcaploop"
	printf "%-44s %8.3f %9.2f\n", "read + decode (stages read)", r, r / p
	printf "%-44s %8.3f %9.2f\n", "flow table (stages flows - read)", t - r, (t - r) / p
	printf "%-44s %8.3f %9.2f\n", "rows (flows --threads 1 - stages flows)", s - t, (s - t) / p
	printf "%-44s %8.3f %9.2f\n", "sum: botlens flows --threads 1", s, s / p
	printf "%-44s %8.3f %9.2f\n", "half the sum: a perfect two-core split", s / 2, s / 2 / p
	printf "%-44s %8.3f %9.2f\n", "botlens flows (two threads)", two, two / p
	printf "%-44s %8.3f %9.2f\n", "pcaploop (bare libpcap loop)", p, 1
	printf "two-thread pass at %.0f%% of the perfect split; the perfect split %s the libpcap loop\n",
	       100 * s / 2 / two, s / 2 < p ? "beats" : "does not beat"
}'
