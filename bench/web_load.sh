#!/bin/sh
# web_load.sh [RUNS] [BIGFLOWS] - `botlens serve` under load, for bench/RESULTS.md:
#   1. a store of RUNS finished runs (default 1000; bench/web_fixture: one real analysis of a
#      synthetic Storm capture shared by all, finished through the ordinary job calls) and
#      one run of BIGFLOWS synthetic flows (default 1,000,000);
#   2. `serve --workers 2` on it; 200 concurrent page reads (4,000 requests over the runs
#      list, run pages, flows filters, the plot, the status page and the API) while 20
#      uploads of new captures arrive at once (and are analysed by the workers);
#   3. zero errors expected; p50/p99 latency, the server's peak RSS (VmHWM: the HTTP
#      threads and worker threads; analyses run in child processes, not counted);
#   4. the big run's first flows page (the run page) and filtered pages, 5 times each.
# Data in bench/data/web (gitignored).  The load generator is tests/scripts/webload.py
# (Python threads on the same machine: its own cost is in the latencies).
cd "$(dirname "$0")/.." || exit 1
RUNS=${1:-1000}
BIG=${2:-1000000}
B=${BUILD:-build}
W=bench/data/web
make -s "$B/botlens" "$B/bench/web_fixture" || exit 1
if [ "${REUSE:-0}" = 1 ] && [ -f "$W/bigid" ]; then   # the same store again: no new fixture
	BIGID=$(cat "$W/bigid")
	rm -rf "$W/acked" "$W/port"
	SKIPFIX=1
else
	rm -rf "$W"
	SKIPFIX=0
fi
mkdir -p "$W/up"
"$B/botlens" synth --scenario storm-private -o "$W/storm.pcap" 2>/dev/null
"$B/botlens" synth --scenario storm-private --duration 120 -o "$W/small.pcap" 2>/dev/null
python3 - "$W/small.pcap" "$W/up" 20 <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
for i in range(int(sys.argv[3])):
    struct.pack_into('<I', b, 28, 1000 + i)
    open('%s/u%02d.pcap' % (sys.argv[2], i), 'wb').write(b)
PY
if [ "$SKIPFIX" = 0 ]; then
	t0=$(date +%s.%N)
	BIGID=$("$B/bench/web_fixture" "$W/data" "$W/storm.pcap" "$RUNS" "$BIG") || exit 1
	t1=$(date +%s.%N)
	echo "$BIGID" >"$W/bigid"
	echo "fixture: $RUNS runs + a run of $BIG flows in $(awk "BEGIN { printf \"%.0f\", $t1 - $t0 }") s (big run $BIGID)"
else
	# the previous round's uploads are runs now: new bytes for this round's
	python3 - "$W/up" <<'PY'
import glob, os, sys
for f in glob.glob(sys.argv[1] + '/*.pcap'):
    open(f, 'ab').write(os.urandom(16))
PY
fi
TOKEN=$("$B/botlens" token add bench --token-file "$W/data/tokens")
"$B/botlens" serve --data "$W/data" --listen 127.0.0.1:0 --port-file "$W/port" --workers 2 \
	--uploads-per-client 32 --threads 4 -q 2>"$W/serve.log" &
SPID=$!
trap 'kill $SPID 2>/dev/null' EXIT
i=0
while [ ! -s "$W/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ADDR=$(cat "$W/port")
paths=""
for k in $(seq 1 40); do
	id=$(( (k * 97) % RUNS + 1 ))
	paths="$paths /runs/$id /runs/$id?proto=17 /?page=$(( k % 20 + 1 ))"
done
paths="$paths / /?q=spam /?sort=name&desc=0 /status /api/v1/runs /api/v1/runs/1 /runs/1/files/plot.png?inline=1 /families /compare?a=1&b=2"
python3 tests/scripts/webload.py upload "$ADDR" "$TOKEN" "$W/acked" 20 0 "$W"/up/*.pcap >"$W/up.out" 2>&1 &
UPID=$!
cpu() { awk '{ print $14 + $15 }' "/proc/$SPID/stat"; }   # the server's user+system ticks
c0=$(cpu)
set -f   # the paths hold ? and &: no globbing
# shellcheck disable=SC2086
python3 tests/scripts/webload.py read "$ADDR" "$TOKEN" 200 4000 $paths
c1=$(cpu)
wait $UPID
cat "$W/up.out"
echo "server CPU during the reads (with the uploads and their jobs' threads): $(awk "BEGIN { printf \"%.1f\", ($c1 - $c0) / $(getconf CLK_TCK) }") s"
echo "server peak RSS: $(grep VmHWM /proc/$SPID/status | awk '{print $2 / 1024 " MiB"}')"
for u in "/runs/$BIGID" "/runs/$BIGID?fpage=2" "/runs/$BIGID?proto=6" "/runs/$BIGID?port=25" \
	"/runs/$BIGID?addr=192.168.1.10&port=25" "/runs/$BIGID?addr=198.0.1.2"; do
	ts=""
	for k in 1 2 3 4 5; do
		ts="$ts $(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "http://$ADDR$u")"
	done
	# shellcheck disable=SC2086
	printf '%s\n' $ts | sort -n | awk -v u="$u" '{ v[NR] = $1 * 1000 } END { printf "%-46s median %7.1f ms (min %.1f, max %.1f)\n", u, v[3], v[1], v[5] }'
done
kill $SPID
wait $SPID 2>/dev/null
trap - EXIT
