#!/bin/sh
# pg_serve.sh - the deployment of issue 14: one `botlens serve --db postgresql://...
# --workers 0` (a front end only) and `botlens worker` processes, all on one
# throwaway PostgreSQL (pg_lib.sh), no shared directory: an upload through the
# API reaches done by a worker, the run page shows its behaviors, the flows
# table and the result files come out of the database, and `status` counts
# the job.  Synchronisation by polling with a deadline.  Skipped (with the
# reason) without PostgreSQL, curl or python3.
. "$(dirname "$0")/lib.sh"
. tests/scripts/weblib.sh
. tests/scripts/pg_lib.sh

if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
	skip "curl or python3 missing"
	report pg_serve
	exit 0
fi
if ! pg_have; then
	skip "$PG_WHY"
	report pg_serve
	exit 0
fi
if ! pg_start; then
	check "a throwaway PostgreSQL server starts" false
	report pg_serve
	exit 1
fi
trap 'serve_stop KILL; pg_kill_pids; pg_stop; rm -rf "$TMP"' EXIT

D=$TMP/front   # the front end's directory: its token file only, no store
mkdir -p "$D"
bl token add ci --token-file "$D/tokens"
TOKEN=$(cat "$TMP/out")
AUTH="Authorization: Bearer $TOKEN"
"$BOTLENS" synth --scenario storm-private -o "$TMP/storm.pcap" 2>/dev/null

serve_start "$D" --db "$PG_URL" --workers 0 --token-file "$D/tokens"
check "serve --db postgresql://... --workers 0 starts" [ -n "$ADDR" ]
http POST "/api/v1/runs?name=storm.pcap" -H "$AUTH" --data-binary @"$TMP/storm.pcap"
check "upload to the PostgreSQL-backed front end: 201" [ "$HC" = 201 ]
ID=$(api_json id)
checkc "no blob on the front end's disk: the file is in the database" \
	'[ ! -d "$D/blobs" ] && [ "$(pg_sql "SELECT count(*) > 0 FROM runs")" = t ]'
http GET "/api/v1/runs/$ID" -H "$AUTH"
check "with no worker the run stays queued" [ "$(api_json status)" = queued ]

"$BOTLENS" worker --db "$PG_URL" --jobs 1 >"$TMP/worker.log" 2>&1 &
WPID=$!
PG_PIDS="$WPID"
wait_run "$ID" 240
check "a botlens worker on the same database takes the job to done" [ "$RUN_STATUS" = done ]

http GET "/runs/$ID" -H "$AUTH"
checkc "run page: spam and p2p behaviors, read from the database" \
	'[ "$HC" = 200 ] && grep -q ">spam<" "$TMP/body" && grep -q ">p2p<" "$TMP/body"'
http GET "/runs/$ID/files/report.json" -H "$AUTH"
checkc "a result file streamed from the database's blobs" \
	'[ "$HC" = 200 ] && python3 -m json.tool "$TMP/body" >/dev/null'
http GET "/runs/$ID/files/plot.png?inline=1" -H "$AUTH"
checkc "the plot image" '[ "$HC" = 200 ] && [ "$(head -c 4 "$TMP/body" | od -An -c | tr -d " ")" = "211PNG" ]'
checkc "the flows table is in the database" "[ \"\$(pg_sql 'SELECT count(*) > 0 FROM flows')\" = t ]"

bl status --db "$PG_URL" --format json
checkc "status: the job counted done" 'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get(\"done\",0) >= 1 else 1)" "$TMP/out"'

kill -TERM "$WPID" 2>/dev/null
wait "$WPID" 2>/dev/null
check "the worker stops on SIGTERM with status 0" [ $? -eq 0 ]
PG_PIDS=
serve_stop
check "serve stops on SIGTERM with status 0" [ "$SRC" -eq 0 ]
serve_log_check
report pg_serve
