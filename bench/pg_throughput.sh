#!/bin/sh
# pg_throughput.sh - jobs per second of `botlens worker` on a PostgreSQL
# store, with 1 and then 2 worker processes (--jobs 1 each), on a throwaway
# server (tests/scripts/pg_lib.sh).  Each round starts from an empty
# database holding N runs (default 200: half tiny synthetic captures, half
# behavior reports, as in the fault test) and is timed from the workers'
# start until no job is queued or running.  Figures: bench/RESULTS.md.
#   sh bench/pg_throughput.sh [N]
cd "$(dirname "$0")/.." || exit 1
BOTLENS=${BOTLENS:-build/botlens}
N=${1:-200}
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
	until [ "$(pg_sql "SELECT NOT EXISTS (SELECT 1 FROM jobs WHERE status IN (0, 1))")" = t ]; do
		sleep 0.05
	done
	t1=$(date +%s.%N)
	load=$(cut -d' ' -f1 /proc/loadavg)
	kill -TERM $(cat "$TMP"/pid*)
	wait
	rm -f "$TMP"/pid*
	done_n=$(pg_sql "SELECT count(*) FROM jobs WHERE status = 2")
	cpu=$(cat "$TMP"/cpu* | awk '{ s += $1 + $2 } END { print s }')
	rm -f "$TMP"/cpu*
	awk -v w="$1" -v n="$done_n" -v t0="$t0" -v t1="$t1" -v cpu="$cpu" -v load="$load" \
		'BEGIN { printf "workers %d: %d jobs in %.2f s = %.1f jobs/s (workers and their jobs: %.1f ms of CPU per job; load average %s)\n",
			 w, n, t1 - t0, n / (t1 - t0), 1000 * cpu / n, load }'
}
echo "$(nproc) cores, $N jobs per round ($(ls "$TMP/in" | grep -c pcap) captures, $(ls "$TMP/in" | grep -vc pcap) reports)"
r1=$(round 1)
echo "$r1"
r2=$(round 2)
echo "$r2"
echo "$r1
$r2" | awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "jobs/s") r[$2 + 0] = $i }
	END { printf "speed-up 2 vs 1: %.2fx\n", r[2] / r[1] }'
