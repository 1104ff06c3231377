#!/bin/sh
# robustness.sh - every capture under shared/data/pcap through the
# ASan+UBSan build: `botlens info`, `flows` and `hosts`, each one run.
#
# A run passes when
#   - it ends within the time limit (ROBUST_TIMEOUT, default 20 s),
#   - its exit code is 0 (ok), 1 (damaged input, partial results) or
#     3 (not a capture / unreadable), as documented in `botlens -h`,
#   - stderr holds no sanitizer report (ASan, LSan, UBSan),
#   - exit 0: stderr is empty (-q: no progress);
#     exit 1 or 3: stderr is exactly one line "botlens: ..." naming the
#     file, quoted, as the CLI reports errors.
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

# Worker: robustness.sh --one FILE runs the three commands on FILE and
# prints one "PASS|FAIL cmd file[: why]" line per command.
if [ "$1" = "--one" ]; then
	f=$2
	err=$(mktemp)
	for cmd in info flows hosts; do
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			timeout "$LIMIT" "$BIN" "$cmd" -q "$f" >/dev/null 2>"$err"
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
			lines=$(wc -l <"$err")
			first=$(head -n 1 "$err")
			case $first in
			"botlens: "*"'$f'"*) [ "$lines" -eq 1 ] || why="exit $rc, $lines stderr lines: $(head -c 300 "$err")" ;;
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
export BIN LIMIT
find "$DATA/pcap" -type f ! -name '*.txt' | LC_ALL=C sort | tr '\n' '\0' |
	xargs -0 -n 1 -P "$jobs" sh "$0" --one >"$out"
files=$(find "$DATA/pcap" -type f ! -name '*.txt' | wc -l)
pass=$(grep -c '^PASS ' "$out")
fail=$(grep -c '^FAIL ' "$out")
# Every file must have been run three times (a lost worker is a failure).
missing=$((files * 3 - pass - fail))
if [ "$missing" -ne 0 ]; then
	echo "FAIL $missing runs gave no result"
	fail=$((fail + missing))
fi
grep '^FAIL ' "$out"
[ -n "$VERBOSE" ] && grep '^PASS ' "$out"
for rc in 0 1 3; do
	echo "  exit $rc: $(grep -c "^PASS .*(exit $rc)\$" "$out") runs"
done
echo "$NAME: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
