#!/bin/sh
# store.sh - the store's analysis side end to end: `botlens job` (one
# analysis in its own process) on a synthetic Storm capture, a truncated
# one, a malformed file and a behavior report; then the worker pool
# (tests/unit/test_worker.c, built beside $BOTLENS) against a temporary
# SQLite store: results, kinds spam and p2p, flows, families, clusters, a
# malformed capture failing alone with the reader's error, a job over its
# time limit killed and failed.  Waiting is polling the store's state
# with a deadline; nothing sleeps to synchronise.
. "$(dirname "$0")/lib.sh"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

"$BOTLENS" synth --scenario storm-private -o "$TMP/x.pcap" --truth /dev/null

mkdir "$TMP/o1"
bl job --type capture --name storm.pcap --out "$TMP/o1" "$TMP/x.pcap"
check "job capture: exit 0" [ "$RC" -eq 0 ]
check "job capture: quiet" [ ! -s "$TMP/err" ]
check "job capture: outcome.json" [ -s "$TMP/o1/outcome.json" ]
checkc "job capture: kinds spam and p2p" 'grep -q "\"kinds\":\"[^\"]*\bspam\b" "$TMP/o1/outcome.json" && grep -q "\"kinds\":\"[^\"]*\bp2p\b" "$TMP/o1/outcome.json"'
for r in info.json ports.json plot.png plot.svg report.json report.html flows.tsv; do
	checkc "job capture: $r listed and written" "grep -q '\"name\":\"$r\"' '$TMP/o1/outcome.json' && [ -s '$TMP/o1/$r' ]"
done
check "job capture: flows table has 13 columns" awk -F'\t' 'NF != 13 { exit 1 } END { exit NR == 0 }' "$TMP/o1/flows.store.tsv"
checkc "job capture: as many flows as botlens flows" \
	'[ "$(wc -l <"$TMP/o1/flows.store.tsv")" -eq "$("$BOTLENS" flows --no-header "$TMP/x.pcap" | wc -l)" ]'

head -c 20000 "$TMP/x.pcap" >"$TMP/cut.pcap"
mkdir "$TMP/o2"
bl job --type capture --name cut.pcap --out "$TMP/o2" "$TMP/cut.pcap"
check "truncated capture: results cover the readable part" [ "$RC" -eq 0 ] && [ -s "$TMP/o2/outcome.json" ]

echo "not a capture" >"$TMP/bad.pcap"
mkdir "$TMP/o3"
bl job --type capture --name bad.pcap --out "$TMP/o3" "$TMP/bad.pcap"
check "malformed capture: exit 3" [ "$RC" -eq 3 ]
check "malformed capture: the reader's error under the run's name" grep -q "^botlens: 'bad.pcap' is not a capture" "$TMP/err"
check "malformed capture: no outcome" [ ! -e "$TMP/o3/outcome.json" ]

printf 'NtOpenFile\nNtReadFile\nNtClose\n' >"$TMP/r.txt"
mkdir "$TMP/o4"
bl job --type report --name r.txt --out "$TMP/o4" "$TMP/r.txt"
check "behavior report without a model: exit 0" [ "$RC" -eq 0 ] && [ -s "$TMP/o4/outcome.json" ]

# a model with network families: the capture's network profile is classified too
mkdir "$TMP/np" "$TMP/o5"
for seed in 1 2 3; do
	"$BOTLENS" synth -s storm-private --seed $seed --duration 240 -o "$TMP/np/s$seed.STORM" --truth /dev/null
	"$BOTLENS" synth -s benign-browsing --seed $seed --duration 240 -o "$TMP/np/b$seed.BENIGN" --truth /dev/null
done
"$BOTLENS" learn -q -o "$TMP/np.model" "$TMP/np"
bl job --type capture --model "$TMP/np.model" --name x.pcap --out "$TMP/o5" "$TMP/x.pcap"
checkc "capture with a network model: classify.json and a family" \
	'[ "$RC" -eq 0 ] && grep -q "\"name\":\"classify.json\"" "$TMP/o5/outcome.json" && grep -q "\"family\":\"" "$TMP/o5/outcome.json"'
"$BOTLENS" classify "$TMP/np.model" "$TMP/x.pcap" --format json >"$TMP/cl.json"
checkc "capture with a network model: the same verdict as botlens classify" \
	'tr -d "\n" <"$TMP/cl.json" | grep -q "$(grep -o "\"family\":\"[^\"]*\"" "$TMP/o5/outcome.json")"'

bl job --type capture --out "$TMP/o4"
check "job without a file: usage" [ "$RC" -eq 2 ]
bl job --type nonsense --out "$TMP/o4" "$TMP/x.pcap"
check "job with an unknown type: usage" [ "$RC" -eq 2 ]

# the worker pool, from the same build as $BOTLENS
tw="$(dirname "$BOTLENS")/tests/test_worker"
if [ -x "$tw" ]; then
	BOTLENS="$BOTLENS" "$tw" >"$TMP/tw" 2>&1
	RC=$?
	check "worker pool (test_worker)" [ "$RC" -eq 0 ]
	[ "$RC" -eq 0 ] || grep -E 'FAIL' "$TMP/tw"
	grep -E "^  (malformed capture|slow):" "$TMP/tw"
else
	skip "no $tw (make tests)"
fi
report store
