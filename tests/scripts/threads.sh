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
# more packets than the ring holds (32 batches of 512), so both threads wait on each other
n=$(grep -o '"packets":[0-9]*' "$TMP/two" | head -1 | cut -d: -f2)
check "the run overfills the ring ($n packets)" [ "${n:-0}" -gt 16384 ]
# ports: images drawn in turn, PNG-encoded on two threads (util/par.h): race-free, same bytes
"$BOTLENS" synth --scenario storm-private --duration 600 --seed 5 -o "$TMP/priv.pcap" 2>"$TMP/err"
"$BOTLENS" ports -q "$TMP/pub.pcap" "$TMP/priv.pcap" "$TMP/pub.pcap" -o "$TMP/h-%n.png" >/dev/null 2>"$TMP/err2"
rc=$?
checkc "ports, 3 images encoded on two threads: exit 0, no sanitizer report" '[ "$rc" -eq 0 ] && [ ! -s "$TMP/err2" ]'
checkc "ports: the two images of the same run are identical" 'cmp -s "$TMP/h-1.png" "$TMP/h-3.png"'
# two infected hosts in one capture: two plots in one HTML report, the same page every time
"$BOTLENS" synth --scenario storm-private --duration 600 --seed 9 -o "$TMP/priv9.pcap" 2>"$TMP/err"
if command -v mergecap >/dev/null && mergecap -F pcap -w "$TMP/two.pcap" "$TMP/priv.pcap" "$TMP/priv9.pcap"; then
	"$BOTLENS" report -q --no-geo -o "$TMP/r.html" "$TMP/two.pcap" 2>"$TMP/err2"
	rc=$?
	checkc "report html, two hosts' plots: exit 0, no sanitizer report" \
		'[ "$rc" -eq 0 ] && [ ! -s "$TMP/err2" ] && [ "$(grep -c "<svg" "$TMP/r.html")" -eq 2 ]'
	"$BOTLENS" report -q --no-geo -o "$TMP/r2.html" "$TMP/two.pcap" 2>/dev/null
	checkc "report html: the same page twice" 'cmp -s "$TMP/r.html" "$TMP/r2.html"'
else
	skip "mergecap (tshark) not installed: no two-host capture for the HTML plot threads"
fi
# report: nDPI on a thread of its own (the default) names every flow as it does in one thread
# (--threads 1), race-free; a real capture with nDPI names when the shared data is there
for cap in "$TMP/pub.pcap" "$DATA/pcap/real/ndpi__reddit.pcap" "$DATA/pcap/real/elcabezzonn__capture-Thu-11-24-16-10-28-11_cerber.pcap"; do
	if [ ! -f "$cap" ]; then
		skip "no $cap: shared data absent"
		continue
	fi
	"$BOTLENS" report -q --no-geo --format json --threads 1 -o "$TMP/r1.json" "$cap" 2>"$TMP/err1"
	rc1=$?
	"$BOTLENS" report -q --no-geo --format json -o "$TMP/r2.json" "$cap" 2>"$TMP/err2"
	rc2=$?
	b=$(basename "$cap")
	checkc "report $b, nDPI threaded: exit 0, no sanitizer report" '[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && [ ! -s "$TMP/err2" ]'
	checkc "report $b: the same report as in one thread" 'cmp -s "$TMP/r1.json" "$TMP/r2.json"'
done
# a stream (no reader thread: one thread reads and analyses) puts nDPI on a worker thread of its
# own; a file puts it in the reader thread's spare time (run_sub.side): the same report, race-free
"$BOTLENS" report -q --no-geo --format json -o "$TMP/s1.json" - <"$TMP/pub.pcap" 2>"$TMP/err2"
rc=$?
checkc "report from a stream, nDPI on its own thread: exit 0, no sanitizer report" '[ "$rc" -eq 0 ] && [ ! -s "$TMP/err2" ]'
"$BOTLENS" report -q --no-geo --format json -o "$TMP/s2.json" "$TMP/pub.pcap" 2>"$TMP/err2"
checkc "report from a stream: the same report as from the file" \
	'sed "s/^{\"file\":\"[^\"]*\"//" "$TMP/s1.json" >"$TMP/s1n" && sed "s/^{\"file\":\"[^\"]*\"//" "$TMP/s2.json" >"$TMP/s2n" && [ -s "$TMP/s1n" ] && cmp -s "$TMP/s1n" "$TMP/s2n"'
checkc "report: nDPI named flows of the real capture" 'grep -q "\"services\":{\"HTTP\":" "$TMP/r1.json" || [ ! -f "$DATA/pcap/real/elcabezzonn__capture-Thu-11-24-16-10-28-11_cerber.pcap" ]'
report threads
