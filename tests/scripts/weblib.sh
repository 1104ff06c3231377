# weblib.sh - helpers of the `botlens serve` suites (sourced after lib.sh):
#   serve_start DATA [serve options...]  starts a server on 127.0.0.1 (free port), sets
#                                       ADDR (host:port) and SPID, waits until it answers
#   serve_stop [SIGNAL]                 stops it (TERM by default) and waits
#   need_server SUITE                   when the server did not start: its log, the
#                                       suite's report, exit (instead of timing out each request)
#   http METHOD PATH [curl options...]  $HC = status code, body in $TMP/body, headers in $TMP/hdr
#   wait_run ID [SECONDS]               waits until run ID is done or failed; $RUN_STATUS
#   gen_family DIR FAM COUNT            synthetic behavior reports (as behavior.sh)
# fontconfig's per-process cache (plots in the analysis children) is not a botlens leak
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
SPID=
ADDR=
TOKEN=

serve_start() {
	sd=$1
	shift
	rm -f "$TMP/port"
	"$BOTLENS" serve --data "$sd" --listen 127.0.0.1:0 --port-file "$TMP/port" "$@" >>"$TMP/serve.log" 2>&1 &
	SPID=$!
	i=0
	while [ ! -s "$TMP/port" ] && [ $i -lt 300 ]; do
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	ADDR=$(cat "$TMP/port" 2>/dev/null)
	[ -n "$ADDR" ]
}

need_server() {
	[ -n "$ADDR" ] && return 0
	echo "  the server did not start; its log:"
	tail -20 "$TMP/serve.log" | sed 's/^/    /'
	report "$1"
	exit 1
}

serve_stop() {
	[ -n "$SPID" ] || return 0
	kill -"${1:-TERM}" "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SRC=$?
	SPID=
	return 0
}

http() {
	m=$1
	p=$2
	shift 2
	HC=$(curl -s -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' -X "$m" --max-time 60 "$@" "http://$ADDR$p")
}

# api_json KEY: a top-level scalar of the JSON in $TMP/body (or of "run")
api_json() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); d=d.get("run",d)
v=d.get(sys.argv[2]); print("" if v is None else v)' "$TMP/body" "$1" 2>/dev/null
}

wait_run() {
	RUN_STATUS=
	n=0
	lim=$((${2:-180} * 2))
	while [ $n -lt "$lim" ]; do
		http GET "/api/v1/runs/$1" -H "Authorization: Bearer $TOKEN"
		RUN_STATUS=$(api_json status)
		case "$RUN_STATUS" in done | failed) return 0 ;; esac
		sleep 0.5
		n=$((n + 1))
	done
	return 1
}

gen_family() {
	awk -v fam="$2" -v count="$3" -v dir="$1" 'BEGIN {
		srand(length(fam) * 7 + substr(fam, 2) + 0)
		for (m = 0; m < 6; m++) { len[m] = 3 + int(rand() * 4)
			for (k = 0; k < len[m]; k++) mot[m, k] = "Op" int(rand() * 20) "." fam }
		for (r = 0; r < count; r++) {
			f = dir "/" fam "r" r "." fam
			for (e = 0; e < 120; ) {
				if (rand() < 0.25) { print "Common" int(rand() * 30) > f; e++; continue }
				m = int(rand() * 6)
				for (k = 0; k < len[m]; k++) { print mot[m, k] > f; e++ }
			}
			close(f)
		}
	}'
}

web_cleanup() {
	serve_stop KILL
	rm -rf "$TMP"
}
trap web_cleanup EXIT

# sanitizer reports of the server (and of the analysis children it logged) fail the suite
serve_log_check() {
	if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error:|ThreadSanitizer" "$TMP/serve.log" 2>/dev/null; then
		grep -E -A12 "ERROR: (Address|Leak)Sanitizer|runtime error:|ThreadSanitizer" "$TMP/serve.log" | head -40
		check "no sanitizer report in the server's log" false
	else
		check "no sanitizer report in the server's log" true
	fi
}
