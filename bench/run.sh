#!/bin/sh
# bench/run.sh - throughput and memory of `botlens flows` on two captures,
# the bulk one (bench/data/bulk.pcap: 225 k flows of ~24 packets) and the
# flow-heavy one (bench/data/heavy.pcap: 1.8 M flows of 1-3 packets,
# gen_bulk -m heavy, issue 16), against the limits and the usual tools
# (see bench/RESULTS.md):
#   cat FILE >/dev/null           the I/O limit (page cache to user space)
#   build/bench/mmapwalk FILE     the parsing limit (record headers only)
#   build/bench/pcaploop FILE     a bare libpcap pcap_next_ex() loop
#   tcpdump -r FILE -w /dev/null  libpcap read + write
#   tshark -q -z conv,ip          on the first SLICE_PKTS packets, scaled
#   botlens flows -q -o /dev/null FILE  (and with --threads 1, for reference)
# Generates the captures (gitignored) with bench/gen_bulk if missing, builds
# with `make bench-tools`, and per capture warms the page cache, runs every
# tool RUNS times in round-robin order (so background load hits all alike)
# and prints medians, ratios, peak RSS and PASS/FAIL against the floors:
#   botlens faster than the bare libpcap loop
#   botlens within 3x of the mmap walk
#   botlens peak RSS <= 64 MiB + 200 bytes per flow (flows = output lines - 1)
# Nothing is written outside bench/data and a temporary directory.
# Environment: RUNS (5), TSHARK_RUNS (3), SLICE_PKTS (200000), SEED (1),
# BUILD (build), MIX ("bulk heavy": the captures to run, in order; one name
# runs one).  Connections generated: 200000 bulk, 1800000 heavy.
# Exit status: 0 all floors pass on every capture, 1 a floor fails,
# 2 setup error.
# shellcheck disable=SC2046  # splitting "$(cmd)" into numbers is intended
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
TSHARK_RUNS=${TSHARK_RUNS:-3}
SLICE_PKTS=${SLICE_PKTS:-200000}
SEED=${SEED:-1}
MIX=${MIX:-bulk heavy}
for m in $MIX; do
	case "$m" in bulk | heavy) ;; *) echo "bench: MIX names bulk and/or heavy" >&2; exit 2 ;; esac
done
B=${BUILD:-build}
BOTLENS=$B/botlens
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

die() { echo "bench: $*" >&2; exit 2; }

# ---- build -------------------------------------------------------------
if ! make -s BUILD="$B" bench-tools >"$T/make.log" 2>&1; then
	# build/botlens may fail to link while a subcommand is being written;
	# the bench tools themselves need only the library.
	echo "bench: 'make bench-tools' failed; using the existing $BOTLENS" >&2
	tail -3 "$T/make.log" >&2
	for t in gen_bulk mmapwalk pcaploop timeit; do
		make -s BUILD="$B" "$B/bench/$t" >/dev/null || die "cannot build $B/bench/$t"
	done
	[ -x "$BOTLENS" ] || die "no $BOTLENS"
fi
TIMEIT=$B/bench/timeit
# Others may rebuild build/botlens while this runs: time one snapshot.
mkdir -p "$T/bin" "$T/res"
cp "$BOTLENS" "$T/bin/botlens"
BOTLENS=$T/bin/botlens
REV=$(git describe --always --dirty 2>/dev/null || echo unknown)
for t in tcpdump tshark editcap; do
	command -v $t >/dev/null || die "$t not found (apt-get install tcpdump tshark)"
done

# ---- data --------------------------------------------------------------
SLICE=bench/data/slice.pcap
trap 'rm -rf "$T" "$SLICE"' EXIT
mkdir -p bench/data
for m in $MIX; do
	DATA=bench/data/$m.pcap
	[ "$m" = bulk ] && FLOWS=200000 || FLOWS=1800000
	if [ ! -s "$DATA" ]; then
		echo "bench: generating $DATA (seed $SEED, $FLOWS connections, mix $m)" >&2
		"$B/bench/gen_bulk" -s "$SEED" -n "$FLOWS" -m "$m" -o "$DATA" || die "generation failed"
	fi
done

# bench_capture NAME: every run and the report of bench/data/NAME.pcap; sets STATUS.
bench_capture() {
	DATA=bench/data/$1.pcap
	rm -f "$T"/res/*
	editcap -F pcap -r "$DATA" "$SLICE" "1-$SLICE_PKTS" || die "editcap failed"

	set -- $("$B/bench/mmapwalk" "$DATA")
	PKTS=$1 CAPBYTES=$2
	FSIZE=$(stat -c %s "$DATA")
	SLICE_N=$("$B/bench/mmapwalk" "$SLICE" | cut -d' ' -f1)
	NFLOWS=$(( $("$BOTLENS" flows -q "$DATA" | wc -l) - 1 ))
	[ "$NFLOWS" -gt 0 ] || die "botlens flows printed no flows"

	# ---- runs --------------------------------------------------------------
	# run NAME RUNS CMD... : one timed run of CMD, stdout and stderr discarded.
	run() {
		name=$1
		shift
		if ! "$TIMEIT" "$T/res/$name" "$@" >/dev/null 2>"$T/res/$name.err"; then
			echo "bench: $name failed:" >&2
			tail -3 "$T/res/$name.err" >&2
			FAILED="$FAILED $name"
		fi
	}

	FAILED=
	echo "bench: warming the page cache" >&2
	cat "$DATA" >/dev/null
	cat "$SLICE" >/dev/null
	LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
	i=1
	while [ "$i" -le "$RUNS" ]; do
		echo "bench: round $i of $RUNS" >&2
		run cat cat "$DATA"
		run mmapwalk "$B/bench/mmapwalk" "$DATA"
		run pcaploop "$B/bench/pcaploop" "$DATA"
		run tcpdump tcpdump -r "$DATA" -w /dev/null
		run botlens "$BOTLENS" flows -q -o /dev/null "$DATA"
		run botlens_slice "$BOTLENS" flows -q -o /dev/null "$SLICE"
		run botlens_1t "$BOTLENS" flows -q --threads 1 -o /dev/null "$DATA"
		if [ "$i" -le "$TSHARK_RUNS" ]; then
			run tshark_slice tshark -q -z conv,ip -r "$SLICE"
		fi
		i=$((i + 1))
	done
	LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
	[ -z "$FAILED" ] || die "runs failed:$FAILED"

	# ---- report ------------------------------------------------------------
	# stats NAME: "median min max maxrss_kb cpu" of the runs: wall times in
	# seconds, the largest peak RSS, and the median CPU time (user + sys).
	median() {
		sort -n | awk '{ w[NR] = $1 } END { printf "%.4f %.4f %.4f\n",
			NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2, w[1], w[NR] }'
	}
	stats() {
		set -- "$1" $(cut -d' ' -f1 "$T/res/$1" | median) \
			$(awk '$4 > r { r = $4 } END { print r }' "$T/res/$1") \
			$(awk '{ print $2 + $3 }' "$T/res/$1" | median)
		echo "$2 $3 $4 $5 $6"
	}

	set -- $(stats botlens)
	BL=$1 BL_RSS=$4 BL_CPU=$5

	echo
	echo "botlens: $B/botlens of $REV (snapshot), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "capture: $DATA, $FSIZE bytes, $PKTS packets, $CAPBYTES captured bytes; $NFLOWS flows"
	echo "runs: $RUNS each (tshark $TSHARK_RUNS), medians; load average before $LOAD0, after $LOAD1"
	echo "tshark: on the first $SLICE_N packets, time scaled by $PKTS/$SLICE_N; RSS not scaled"
	echo
	printf '%-34s %8s %17s %7s %7s %7s %9s %7s\n' tool "wall s" "min-max s" "cpu s" \
		"MB/s" "Mpkt/s" "x botlens" "RSS MB"
	row() {  # row LABEL NAME SCALE
		set -- "$1" $(stats "$2") "$3"
		awk -v l="$1" -v m="$2" -v lo="$3" -v hi="$4" -v r="$5" -v c="$6" -v s="$7" \
		    -v bl="$BL" -v fs="$FSIZE" -v n="$PKTS" 'BEGIN {
			m *= s; lo *= s; hi *= s; c *= s;
			printf "%-34s %8.3f %8.3f-%-8.3f %7.3f %7.0f %7.2f %9.2f %7.1f\n", l, m, lo, hi,
			       c, fs / m / 1e6, n / m / 1e6, m / bl, r / 1024 }'
	}
	row "cat >/dev/null (I/O limit)" cat 1
	row "mmapwalk (parsing limit)" mmapwalk 1
	row "pcaploop (bare libpcap)" pcaploop 1
	row "tcpdump -r -w /dev/null" tcpdump 1
	SCALE=$(awk -v a="$PKTS" -v b="$SLICE_N" 'BEGIN { printf "%.6f", a / b }')
	row "tshark -z conv,ip (slice, scaled)" tshark_slice "$SCALE"
	row "botlens flows (slice, scaled)" botlens_slice "$SCALE"
	row "botlens flows --threads 1" botlens_1t 1
	row "botlens flows -q -o /dev/null" botlens 1
	echo "(wall and cpu = medians; x botlens = tool wall / botlens wall; MB/s of the whole file)"

	# ---- floors ------------------------------------------------------------
	echo
	set -- $(stats pcaploop)
	PL=$1 PL_CPU=$5
	set -- $(stats mmapwalk)
	MW=$1 MW_CPU=$5
	ok=$(awk -v a="$BL" -v b="$PL" 'BEGIN { print (a < b) ? 1 : 0 }')
	floor "$(awk -v a="$BL" -v b="$PL" 'BEGIN { printf "botlens faster than bare libpcap loop: %.3f s vs %.3f s (%.2fx)", a, b, a / b }')" "$ok"
	ok=$(awk -v a="$BL" -v b="$MW" 'BEGIN { print (a <= 3 * b) ? 1 : 0 }')
	floor "$(awk -v a="$BL" -v b="$MW" 'BEGIN { printf "botlens within 3x of the mmap walk: %.3f s vs %.3f s (%.2fx)", a, b, a / b }')" "$ok"
	LIMIT_KB=$(( (64 * 1048576 + 200 * NFLOWS) / 1024 ))
	ok=$([ "$BL_RSS" -le "$LIMIT_KB" ] && echo 1 || echo 0)
	floor "$(awk -v r="$BL_RSS" -v l="$LIMIT_KB" -v n="$NFLOWS" 'BEGIN { printf "botlens peak RSS %.1f MiB <= 64 MiB + 200 B x %d flows = %.1f MiB", r / 1024, n, l / 1024 }')" "$ok"
	awk -v b="$BL_CPU" -v p="$PL_CPU" -v m="$MW_CPU" 'BEGIN { printf "(on CPU time, less \
sensitive to other load: botlens %.3f s = %.2fx pcaploop, %.2fx mmapwalk)\n", b, b / p, b / m }'
}

floor() {  # floor TEXT OK(0/1)
	if [ "$2" -eq 1 ]; then echo "PASS  $1"; else echo "FAIL  $1"; STATUS=1; fi
}
STATUS=0
for m in $MIX; do
	bench_capture "$m"
done
exit $STATUS
