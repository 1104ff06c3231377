#!/bin/sh
# pg.sh - the PostgreSQL store against a real, throwaway server (pg_lib.sh):
#   1. the shared store suite (tests/unit/test_store.c) with BOTLENS_STORE=postgresql://...
#   2. migrations, status and password masking through the command line
#   3. the fault test: PG_JOBS (500) jobs, half tiny synthetic captures, half
#      behavior reports, 4 `botlens worker`s; two are kill -9'd mid-job at
#      random moments, one of them restarted; then the database is restarted
#      while the workers run (connection loss).  Every job must end done
#      exactly once (checked in SQL: one result set per job, written by the
#      attempt that finished it), none lost, none duplicated.
# Synchronisation is by polling the database's state with a deadline, never
# by sleeping a fixed time.  Skipped (with the reason) without PostgreSQL.
# PG_JOBS=N changes the fault test's size, PG_FAULT=0 skips it.
. "$(dirname "$0")/lib.sh"
. tests/scripts/pg_lib.sh
# fontconfig's per-process cache (the jobs' plots) is not a botlens leak (tests/lsan.supp)
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
PG_JOBS=${PG_JOBS:-500}
BIN_DIR=$(dirname "$BOTLENS")

if ! pg_have; then
	skip "$PG_WHY"
	report pg
	exit 0
fi
if ! pg_start; then
	check "a throwaway PostgreSQL server starts" false
	report pg
	exit 1
fi

# ---- 1. the shared store suite ----
if [ -x "$BIN_DIR/tests/test_store" ]; then
	BOTLENS_STORE="$PG_URL" "$BIN_DIR/tests/test_store" >"$TMP/suite" 2>&1
	rc=$?
	grep -E 'passed|FAIL|not ok' "$TMP/suite" | tail -20
	check "shared store suite on PostgreSQL" [ "$rc" -eq 0 ]
else
	skip "shared store suite: $BIN_DIR/tests/test_store not built (make tests)"
fi
# the suite leaves its data behind: start the rest from an empty database
psql -X -q -h "$PG_DIR" -U botlens -d postgres -c 'DROP DATABASE botlens' -c 'CREATE DATABASE botlens' >/dev/null

# ---- 2. the command line ----
# four clients opening the fresh database at once: one migrates, the others wait and find it done
pids=
for n in 1 2 3 4; do
	"$BOTLENS" status --db "$PG_URL" >"$TMP/st$n" 2>&1 &
	pids="$pids $!"
done
wait $pids
ok=0
for n in 1 2 3 4; do grep -q '^store *postgresql' "$TMP/st$n" && ok=$((ok + 1)); done
checkc "four clients opening a fresh database together all succeed ($ok of 4)" \
	'[ "$ok" -eq 4 ] && [ "$(pg_sql "SELECT count(*) = count(DISTINCT version) AND count(*) > 0 FROM schema_version")" = t ]'
psql -X -q -h "$PG_DIR" -U botlens -d postgres -c 'DROP DATABASE botlens' -c 'CREATE DATABASE botlens' >/dev/null
bl db migrate --db "$PG_URL"
check "db migrate on an empty database: 0 -> current" grep -q 'schema version 0 -> ' "$TMP/out"
bl db migrate --db "$PG_URL"
check "db migrate again: up to date" grep -q 'up to date' "$TMP/out"
checkc "schema_version lists each version once" \
	'[ "$(pg_sql "SELECT count(*) = count(DISTINCT version) AND count(*) > 0 FROM schema_version")" = t ]'
bl status --db "$PG_URL" --format json
check "status --format json on an empty store" grep -q '"queued": 0' "$TMP/out"
bl status --db "postgresql://botlens:sEcReT1@/botlens?host=$PG_DIR&dbname=nosuchdb&password=sEcReT2"
checkc "a failed connection exits 3 and never prints the password" \
	'[ "$RC" -eq 3 ] && grep -q "cannot connect" "$TMP/err" && ! grep -q sEcReT "$TMP/err" "$TMP/out"'
bl status --db "host=$PG_DIR dbname=nosuchdb user=botlens password='sEcReT3 x'"
checkc "key=value form: no password either" '[ "$RC" -eq 3 ] && ! grep -q sEcReT "$TMP/err"'
# a 96 MiB upload streams into 1 MiB chunks: the writer's memory stays far below the file
head -c 100663296 /dev/urandom >"$TMP/big.bin"
/usr/bin/time -f '%M' -o "$TMP/rss" "$BOTLENS" db add --db "$PG_URL" "$TMP/big.bin" >"$TMP/out" 2>"$TMP/err"
big_sha=$(sha256sum "$TMP/big.bin" | cut -c1-64)
checkc "a 96 MiB upload: stored in 96 chunks under its SHA-256, writer RSS $(cat "$TMP/rss") KiB < 48 MiB" \
	'grep -q "$big_sha" "$TMP/out" && [ "$(cat "$TMP/rss")" -lt 49152 ] &&
	 [ "$(pg_sql "SELECT nchunks FROM blobs WHERE sha = '"'$big_sha'"'")" = 96 ]'
rm -f "$TMP/big.bin"
pg_sql "UPDATE schema_version SET version = version + 1 WHERE version = (SELECT max(version) FROM schema_version)"
bl status --db "$PG_URL"
checkc "a newer schema is refused" '[ "$RC" -ne 0 ] && grep -q "newer than this botlens" "$TMP/err"'
pg_sql "UPDATE schema_version SET version = version - 1 WHERE version = (SELECT max(version) FROM schema_version)"

# ---- 3. the fault test ----
if [ "${PG_FAULT:-1}" = 0 ]; then
	skip "fault test: PG_FAULT=0"
	report pg
	exit
fi
psql -X -q -h "$PG_DIR" -U botlens -d postgres -c 'DROP DATABASE botlens' -c 'CREATE DATABASE botlens' >/dev/null
# inputs: tiny synthetic captures and text behavior reports (pg_inputs)
IN="$TMP/in"
pg_inputs "$IN" "$PG_JOBS" "$TMP/model.txt"
checkc "fault test inputs: $PG_JOBS distinct files and a model" \
	'[ "$(ls "$IN" | wc -l)" -eq "$PG_JOBS" ] && [ -s "$TMP/model.txt" ]'
bl db add --db "$PG_URL" "$IN"/*
checkc "db add: $PG_JOBS new runs, each with its analyse job" \
	'[ "$RC" -eq 0 ] && [ "$(grep -c " new$" "$TMP/out")" -eq "$PG_JOBS" ] &&
	 [ "$(pg_sql "SELECT count(*) FROM jobs WHERE kind = '"'analyse'"' AND status = 0")" -eq "$PG_JOBS" ]'

LEASE=3
mkdir -p "$TMP/wtmp"   # the jobs' directories: a killed worker's are removed with $TMP
start_worker() {  # N: starts worker N, its pid in W_N
	TMPDIR="$TMP/wtmp" "$BOTLENS" worker --db "$PG_URL" --jobs 1 --lease $LEASE --name "w$1" --model "$TMP/model.txt" \
		>"$TMP/w$1.log" 2>&1 &
	eval "W_$1=\$!"
	PG_PIDS="$PG_PIDS $!"
}
now() { date +%s; }
# wait_sql SECONDS CONDITION: polls until the SQL condition holds; 1 at the deadline
wait_sql() {
	end=$(($(now) + $1))
	until [ "$(pg_sql "SELECT $2" 2>/dev/null)" = t ]; do
		[ "$(now)" -ge "$end" ] && return 1
		sleep 0.1
	done
}
done_jobs() { pg_sql "SELECT count(*) FROM jobs WHERE status = 2" 2>/dev/null || echo 0; }
# random in [lo, hi)
rnd() { echo $(($1 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % ($2 - $1))); }

t0=$(now)
for n in 1 2 3 4; do start_worker $n; done
# kill -9 worker N at a random moment while it holds a job: once AT jobs are
# done, the worker is frozen (SIGSTOP) until it is seen holding a job, then killed
kill_mid_job() {  # N AT
	KILLED_JOB=
	wait_sql 120 "count(*) >= $2 FROM jobs WHERE status = 2" || return
	end=$(($(now) + 60))
	while [ "$(now)" -lt "$end" ]; do
		eval "kill -STOP \$W_$1"
		KILLED_JOB=$(pg_sql "SELECT id FROM jobs WHERE status = 1 AND claimed_by LIKE 'w$1%' LIMIT 1")
		if [ -n "$KILLED_JOB" ]; then
			eval "kill -9 \$W_$1; wait \$W_$1 2>/dev/null"
			return
		fi
		eval "kill -CONT \$W_$1"
		sleep 0.05
	done
}
# status while they work: running jobs per worker
seen=0
end=$(($(now) + 30))
while [ "$(now)" -lt "$end" ]; do
	bl status --db "$PG_URL" --format json
	if [ "$RC" -eq 0 ] && grep -q '"worker": "w[1-4]:0"' "$TMP/out"; then
		seen=1
		break
	fi
	sleep 0.05
done
check "status lists the busy workers by name while they run" [ "$seen" -eq 1 ]
r1=$(rnd $((PG_JOBS / 10)) $((PG_JOBS * 3 / 10)))
r2=$(rnd $((PG_JOBS * 3 / 10)) $((PG_JOBS / 2)))
kill_mid_job 2 "$r1"
K1=$KILLED_JOB
kill_mid_job 3 "$r2"
K2=$KILLED_JOB
checkc "two workers killed mid-job (jobs $K1 and $K2, after $r1 and $r2 done)" '[ -n "$K1" ] && [ -n "$K2" ]'
start_worker 5
# connection loss: the database restarted under the workers
wait_sql 120 "count(*) >= $((PG_JOBS * 6 / 10)) FROM jobs WHERE status = 2"
before=$(done_jobs)
pg_restart
check "the database restarted (after $before jobs done)" [ $? -eq 0 ]
# everything ends: no job queued or running
wait_sql 150 "NOT EXISTS (SELECT 1 FROM jobs WHERE status IN (0, 1))"
check "every job ended within the deadline" [ $? -eq 0 ]
elapsed=$(($(now) - t0))
checkc "jobs were done after the restart" '[ "$(done_jobs)" -gt "$before" ]'
alive=0
for n in 1 4 5; do eval "kill -0 \$W_$n 2>/dev/null" && alive=$((alive + 1)); done
check "the 3 live workers survived the restart" [ "$alive" -eq 3 ]
for n in 1 4 5; do eval "kill -TERM \$W_$n 2>/dev/null"; done
stopped=0
for n in 1 4 5; do eval "wait \$W_$n" && stopped=$((stopped + 1)); done
check "SIGTERM stops the workers cleanly (exit 0)" [ "$stopped" -eq 3 ]

lost=$(pg_sql "SELECT count(*) FROM runs r WHERE r.status <> 2 OR NOT EXISTS
	(SELECT 1 FROM jobs j WHERE j.run_id = r.id AND j.kind = 'analyse' AND j.status = 2)")
dup=$(pg_sql "SELECT (SELECT count(*) FROM (SELECT run_id FROM jobs WHERE kind = 'analyse'
		GROUP BY run_id HAVING count(*) <> 1) x)
	+ (SELECT count(*) FROM results x JOIN jobs j ON j.run_id = x.run_id AND j.kind = 'analyse'
		WHERE x.job_id <> j.id OR x.attempt <> j.attempts)
	+ (SELECT count(*) FROM runs r WHERE r.flows <> (SELECT count(*) FROM flows f WHERE f.run_id = r.id))")
failed=$(pg_sql "SELECT count(*) FROM jobs WHERE status = 3")
runs=$(pg_sql "SELECT count(*) FROM runs")
noresult=$(pg_sql "SELECT count(*) FROM runs r WHERE NOT EXISTS (SELECT 1 FROM results x WHERE x.run_id = r.id)")
retried=$(pg_sql "SELECT count(*) FROM jobs WHERE attempts > 1")
killed_done=$(pg_sql "SELECT count(*) FROM jobs WHERE id IN (${K1:-0}, ${K2:-0}) AND status = 2 AND attempts > 1")
check "all $PG_JOBS runs present" [ "$runs" = "$PG_JOBS" ]
check "none lost: every run done by its analyse job ($lost not)" [ "$lost" = 0 ]
check "none duplicated: one job and one result set per run, from the finishing attempt ($dup bad)" [ "$dup" = 0 ]
check "no job failed ($failed)" [ "$failed" = 0 ]
check "every run has results ($noresult without)" [ "$noresult" = 0 ]
check "the killed workers' jobs were claimed again and done ($killed_done of 2)" [ "$killed_done" = 2 ]
# the workers' own word: no job reported done by two of them
grep -h ' done in ' "$TMP"/w*.log | awk '{ print $4 }' | sort | uniq -d >"$TMP/twice"
logged=$(grep -h ' done in ' "$TMP"/w*.log | wc -l)
check "no job logged done twice by the workers ($logged done lines)" [ ! -s "$TMP/twice" ]
echo "pg-fault: jobs $PG_JOBS workers 4 kills 2 restarted 1 db-restarts 1 lost $lost duplicated $dup failed $failed retried $retried seconds $elapsed"
bl status --db "$PG_URL"
check "status after the run: nothing queued or running" grep -q 'jobs queued *0' "$TMP/out"
report pg
