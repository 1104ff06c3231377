#!/bin/sh
# pg_throughput.sh - jobs per second of `botlens worker` on a PostgreSQL
# store, with 1 and then 2 worker processes (--jobs 1 each), on a throwaway
# server (tests/scripts/pg_lib.sh).  Each round starts from an empty
# database holding N runs (default 200: half tiny synthetic captures, half
# behavior reports, as in the fault test) and is timed from the workers'
# start until no job is queued or running.  The machine is shared, so the
# rounds alternate (1, 2, 1, 2 ... ROUNDS times each) and the best figure of
# each count is kept as well as every round's.  Figures: bench/RESULTS.md.
#   sh bench/pg_throughput.sh [N [ROUNDS]]
cd "$(dirname "$0")/.." || exit 1
BOTLENS=${BOTLENS:-build/botlens}
N=${1:-200}
ROUNDS=${2:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. tests/scripts/pg_lib.sh
if ! pg_have; then
	echo "skip: $PG_WHY"
	exit 0
fi
pg_start || exit 1
pg_inputs "$TMP/in" "$N" "$TMP/model.txt" || exit 1

round() {  # WORKERS
	psql -X -q -h "$PG_DIR" -U botlens -d postgres -c 'DROP DATABASE botlens' -c 'CREATE DATABASE botlens' >/dev/null
	"$BOTLENS" db add --db "$PG_URL" "$TMP/in"/* >/dev/null || exit 1
	t0=$(date +%s.%N)
	i=0
	while [ $i -lt "$1" ]; do
		# CPU of the worker and its jobs' processes; the worker's own pid in pid$i
		/usr/bin/time -o "$TMP/cpu$i" -f '%U %S' sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$TMP/pid$i" \
			"$BOTLENS" worker --db "$PG_URL" --jobs 1 --quiet --model "$TMP/model.txt" >"$TMP/w$i.log" 2>&1 &
		i=$((i + 1))
	done
	i=0
	while [ $i -lt "$1" ]; do   # the workers' pids, for the exit trap (pg_lib.sh) too
		until [ -s "$TMP/pid$i" ]; do sleep 0.01; done
		PG_PIDS="$PG_PIDS $(cat "$TMP/pid$i")"
		i=$((i + 1))
	done
	until [ "$(pg_sql "SELECT NOT EXISTS (SELECT 1 FROM jobs WHERE status IN (0, 1))")" = t ]; do
		sleep 0.05
	done
	t1=$(date +%s.%N)
	load=$(cut -d' ' -f1 /proc/loadavg)
	# the server's CPU: its processes, the workers' backends among them, still alive here
	srv=$(for p in $(ps -o pid= --ppid "$(head -1 "$PG_DIR/data/postmaster.pid")"); do
		cat "/proc/$p/stat" 2>/dev/null
	done | awk -v hz="$(getconf CLK_TCK)" '{ s += $14 + $15 } END { print s / hz }')
	kill -TERM $(cat "$TMP"/pid*)
	wait
	rm -f "$TMP"/pid*
	done_n=$(pg_sql "SELECT count(*) FROM jobs WHERE status = 2")
	cpu=$(cat "$TMP"/cpu* | awk '{ s += $1 + $2 } END { print s }')
	rm -f "$TMP"/cpu*
	awk -v w="$1" -v n="$done_n" -v t0="$t0" -v t1="$t1" -v cpu="$cpu" -v load="$load" -v srv="$srv" \
		'BEGIN { printf "workers %d: %d jobs in %.2f s = %.1f jobs/s (CPU per job: workers and their jobs %.1f ms, server %.1f ms; load average %s)\n",
			 w, n, t1 - t0, n / (t1 - t0), 1000 * cpu / n, 1000 * srv / n, load }'
}
echo "$(nproc) cores, $N jobs per round ($(ls "$TMP/in" | grep -c pcap) captures, $(ls "$TMP/in" | grep -vc pcap) reports)"
: >"$TMP/rounds"
k=0
while [ $k -lt "$ROUNDS" ]; do
	for w in 1 2; do
		round $w | tee -a "$TMP/rounds"
	done
	k=$((k + 1))
done
awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "jobs/s") { w = $2 + 0; if ($i > best[w]) best[w] = $i } }
	END { printf "best: 1 worker %.1f jobs/s, 2 workers %.1f jobs/s, speed-up %.2fx\n", best[1], best[2], best[2] / best[1] }' \
	"$TMP/rounds"
