#!/bin/sh
# robustness.sh - every capture under shared/data/pcap through the
# ASan+UBSan build (clang: address, undefined, float-cast-overflow,
# implicit-integer-truncation): `botlens info`, `flows` and `hosts`, each
# one run; and a sample of them through `report`, `ports` and
# `plot --annotate explain` (ROBUST_DEEP_EVERY: every file of behavior/,
# malformed/, real/ and pcapng-generator/, and every 4th file of the
# others in sorted order, about 350 files and a minute on two cores;
# ROBUST_DEEP_EVERY=1 runs all of them, about 5 minutes).
#
# A run passes when
#   - it ends within the time limit (ROBUST_TIMEOUT, default 20 s),
#   - its exit code is 0 (ok), 1 (damaged input, partial results) or
#     3 (not a capture / unreadable), as documented in `botlens -h`,
#   - stderr holds no sanitizer report (ASan, LSan, UBSan),
#   - exit 0: stderr is empty (-q: no progress);
#     exit 1 or 3: stderr is exactly one line "botlens: ..." naming the
#     file, quoted, as the CLI reports errors (plus "hint: " lines; `plot`
#     may add a second line naming the file, "nothing to plot").
# About 940 files (behavior, malformed, tcpdump-tests, pcapng-generator)
# times three commands, on all cores (xargs -P).
#
# Environment: BOTLENS_ASAN (default build-asan/botlens, made by
# `make asan`), BOTLENS_DATA (default ../shared/data), JOBS (default:
# nproc), VERBOSE=1 to list every run.
# Ends with "robustness: N passed, N failed, N skipped".
NAME=robustness
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BIN=${BOTLENS_ASAN:-build-asan/botlens}
DATA=${BOTLENS_DATA:-$(dirname "$ROOT")/shared/data}
LIMIT=${ROBUST_TIMEOUT:-20}
DEEP_EVERY=${ROBUST_DEEP_EVERY:-4}

# Worker: robustness.sh --one FILE runs the three commands on FILE and
# prints one "PASS|FAIL cmd file[: why]" line per command.
# robustness.sh --deep FILE runs report, ports and plot --annotate explain.
if [ "$1" = "--one" ] || [ "$1" = "--deep" ]; then
	f=$2
	err=$(mktemp)
	img=$(mktemp -d)
	if [ "$1" = "--one" ]; then
		cmds="info flows hosts"
	else
		cmds="report ports plot"
	fi
	for cmd in $cmds; do
		args=""
		[ "$cmd" = plot ] && args="--annotate explain -o $img/p.png"
		# shellcheck disable=SC2086
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0 \
			timeout "$LIMIT" "$BIN" "$cmd" $args -q "$f" >/dev/null 2>"$err"
		rc=$?
		why=""
		if grep -qE 'Sanitizer|runtime error:|SUMMARY: ' "$err"; then
			why="sanitizer report: $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$err")"
		elif [ $rc -eq 124 ]; then
			why="timed out after $LIMIT s"
		elif [ $rc -ne 0 ] && [ $rc -ne 1 ] && [ $rc -ne 3 ]; then
			why="exit code $rc: $(head -c 300 "$err")"
		elif [ $rc -eq 0 ] && [ -s "$err" ]; then
			why="exit 0 but stderr: $(head -c 300 "$err")"
		elif [ $rc -ne 0 ]; then
			lines=$(grep -vc '^hint: ' "$err")
			# plot may say two things: the damage, then "nothing to plot"
			max=1
			[ "$cmd" = plot ] && max=2
			first=$(head -n 1 "$err")
			case $first in
			"botlens: "*"'$f'"*)
				if [ "$lines" -gt "$max" ]; then
					why="exit $rc, $lines stderr lines: $(head -c 300 "$err")"
				elif grep -v '^hint: ' "$err" | grep -qvF "'$f'"; then
					why="exit $rc, a stderr line does not name the file: $(head -c 300 "$err")"
				fi ;;
			*) why="exit $rc, stderr does not start with botlens: and name the file: $(head -c 300 "$err")" ;;
			esac
		fi
		if [ -n "$why" ]; then
			echo "FAIL $cmd $f: $why"
		else
			echo "PASS $cmd $f (exit $rc)"
		fi
	done
	rm -f "$err"
	rm -rf "$img"
	exit 0
fi

if [ ! -d "$DATA/pcap" ]; then
	echo "$NAME: skipped: no test data at $DATA (set BOTLENS_DATA)"
	echo "$NAME: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -x "$BIN" ]; then
	echo "$NAME: no sanitizer build at $BIN (run make asan)"
	echo "$NAME: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
command -v timeout >/dev/null 2>&1 || { echo "$NAME: skipped: timeout(1) not found"; echo "$NAME: 0 passed, 0 failed, 1 skipped"; exit 0; }
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM
export BIN LIMIT ROOT
find "$DATA/pcap" -type f ! -name '*.txt' | LC_ALL=C sort | tr '\n' '\0' |
	xargs -0 -n 1 -P "$jobs" sh "$0" --one >"$out"
files=$(find "$DATA/pcap" -type f ! -name '*.txt' | wc -l)
# the deep sample: the small directories whole, every DEEP_EVERY-th file of the others
deep=$(mktemp)
trap 'rm -f "$out" "$deep"' EXIT INT TERM
find "$DATA/pcap" -type f ! -name '*.txt' | LC_ALL=C sort |
	awk -v n="$DEEP_EVERY" '/\/pcap\/(behavior|malformed|real|pcapng-generator)\// || (i++ % n) == 0' >"$deep"
ndeep=$(wc -l <"$deep")
tr '\n' '\0' <"$deep" | xargs -0 -n 1 -P "$jobs" sh "$0" --deep >>"$out"
pass=$(grep -c '^PASS ' "$out")
fail=$(grep -c '^FAIL ' "$out")
# Every file must have been run three times, the deep sample three more
# (a lost worker is a failure).
missing=$((files * 3 + ndeep * 3 - pass - fail))
if [ "$missing" -ne 0 ]; then
	echo "FAIL $missing runs gave no result"
	fail=$((fail + missing))
fi
grep '^FAIL ' "$out"
[ -n "$VERBOSE" ] && grep '^PASS ' "$out"
echo "  $files captures x info/flows/hosts, $ndeep x report/ports/plot --annotate explain"
for rc in 0 1 3; do
	echo "  exit $rc: $(grep -c "^PASS .*(exit $rc)\$" "$out") runs"
done
echo "$NAME: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
