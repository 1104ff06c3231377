# threads.sh - the two-thread pass (reader thread + analysis thread) gives
# exactly what one thread gives, and is race-free: run with a ThreadSanitizer
# build (tests/run.sh sets BOTLENS=build-tsan/botlens), any report fails.
. "$(dirname "$0")/lib.sh"
case "$BOTLENS" in /*) ;; *) BOTLENS="$PWD/$BOTLENS" ;; esac
export TSAN_OPTIONS="halt_on_error=1:exitcode=66"
"$BOTLENS" synth --scenario storm-public --duration 3600 --seed 5 -o "$TMP/pub.pcap" 2>"$TMP/err"
check "synth for the thread test" [ -s "$TMP/pub.pcap" ]
for cmd in flows hosts packets "info --format json"; do
	# shellcheck disable=SC2086
	"$BOTLENS" $cmd --threads 1 "$TMP/pub.pcap" >"$TMP/one" 2>"$TMP/err1"
	rc1=$?
	# shellcheck disable=SC2086
	"$BOTLENS" $cmd --threads 2 "$TMP/pub.pcap" >"$TMP/two" 2>"$TMP/err2"
	rc2=$?
	check "$cmd: both exit 0" [ "$rc1" -eq 0 -a "$rc2" -eq 0 ]
	check "$cmd: no sanitizer report" [ ! -s "$TMP/err2" ]
	check "$cmd: identical output" cmp -s "$TMP/one" "$TMP/two"
done
# more packets than the ring holds (8 batches of 256), so both threads wait on each other
n=$(grep -o '"packets":[0-9]*' "$TMP/two" | head -1 | cut -d: -f2)
check "the run overfills the ring ($n packets)" [ "${n:-0}" -gt 4096 ]
report threads
