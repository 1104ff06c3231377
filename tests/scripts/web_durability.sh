#!/bin/sh
# web_durability.sh - kill -9 in the middle of 20 concurrent uploads: every upload that got
# a 201 (or 200) is there after a restart with the right SHA-256 and reaches done, no
# half-written file is left in the data directory's tmp/, no run lacks its file, and the
# jobs that were running when the server died are run again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/weblib.sh"

if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
	skip "curl or python3 missing"
	report durability
	exit
fi
D=$TMP/data
mkdir -p "$D" "$TMP/up"
bl token add dur --token-file "$D/tokens"
TOKEN=$(cat "$TMP/out")
"$BOTLENS" synth --scenario storm-private --duration 120 -o "$TMP/base.pcap" 2>/dev/null
# 60 distinct captures: the same packets, the first record's microseconds changed
python3 - "$TMP/base.pcap" "$TMP/up" 60 <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
for i in range(int(sys.argv[3])):
    struct.pack_into('<I', b, 28, i)
    open('%s/c%02d.pcap' % (sys.argv[2], i), 'wb').write(b)
PY
serve_start "$D" --workers 1 --uploads-per-client 32
check "serve starts" [ -n "$ADDR" ]
need_server durability
: >"$TMP/acked"
python3 tests/scripts/webload.py upload "$ADDR" "$TOKEN" "$TMP/acked" 20 0.02 "$TMP"/up/*.pcap >"$TMP/load.out" 2>&1 &
LPID=$!
i=0
while [ "$(wc -l <"$TMP/acked")" -lt 15 ] && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
serve_stop KILL
wait $LPID
cat "$TMP/load.out"
n=$(wc -l <"$TMP/acked")
echo "  $n uploads acknowledged before kill -9"
checkc "kill -9 came mid-way (some acknowledged, some not: $n of 60)" '[ "$n" -ge 15 ] && [ "$n" -lt 60 ]'

serve_start "$D" --workers 2
check "serve restarts on the killed store" [ -n "$ADDR" ]
need_server durability
bad=0
while read -r id sha code; do
	http GET "/api/v1/runs/$id" -H "Authorization: Bearer $TOKEN"
	if [ "$HC" != 200 ] || [ "$(api_json sha256)" != "$sha" ]; then
		bad=$((bad + 1))
		echo "  run $id: HTTP $HC, sha $(api_json sha256) (want $sha)"
		continue
	fi
	got=$(curl -s -H "Authorization: Bearer $TOKEN" "http://$ADDR/runs/$id/original" | sha256sum | cut -c1-64)
	[ "$got" = "$sha" ] || { bad=$((bad + 1)); echo "  run $id: stored bytes hash to $got"; }
done <"$TMP/acked"
check "every acknowledged upload is there with its SHA-256 and its bytes" [ "$bad" -eq 0 ]
checkc "no half-written file in tmp/ ($(ls "$D/tmp" 2>/dev/null | wc -l) left)" '[ -z "$(ls -A "$D/tmp" 2>/dev/null)" ]'
# every run (acknowledged or not) has its file and ends done
curl -s -H "Authorization: Bearer $TOKEN" "http://$ADDR/api/v1/runs?limit=1000" >"$TMP/all.json"
python3 -c 'import json,sys; [print(r["id"]) for r in json.load(open(sys.argv[1]))["runs"]]' "$TMP/all.json" >"$TMP/ids"
orph=0 notdone=0
while read -r id; do
	HC=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://$ADDR/runs/$id/original")
	[ "$HC" = 200 ] || { orph=$((orph + 1)); echo "  run $id: its file answers $HC"; }
	wait_run "$id" 300
	[ "$RUN_STATUS" = done ] || { notdone=$((notdone + 1)); echo "  run $id: $RUN_STATUS $(api_json error)"; }
done <"$TMP/ids"
echo "  $(wc -l <"$TMP/ids") runs in the store after the restart"
# every blob file is a run's upload or one of its results
: >"$TMP/refs"
while read -r id; do
	curl -s -H "Authorization: Bearer $TOKEN" "http://$ADDR/api/v1/runs/$id" |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["run"]["sha256"]); [print(r["sha256"]) for r in d["results"]]' >>"$TMP/refs"
done <"$TMP/ids"
find "$D/blobs" -type f -printf '%f\n' | sort -u >"$TMP/files"
sort -u "$TMP/refs" >"$TMP/refs.s"
orphans=$(comm -23 "$TMP/files" "$TMP/refs.s" | wc -l)
checkc "no orphan blob file ($orphans not referenced by a run)" '[ "$orphans" -eq 0 ]'
missing=$(comm -13 "$TMP/files" "$TMP/refs.s" | wc -l)
checkc "no run or result without its blob file ($missing)" '[ "$missing" -eq 0 ]'
check "no run without its file" [ "$orph" -eq 0 ]
check "every run reaches done after the restart" [ "$notdone" -eq 0 ]
serve_stop
serve_log_check
report durability
