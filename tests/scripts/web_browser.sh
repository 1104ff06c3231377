#!/bin/sh
# web_browser.sh - `botlens serve` in a real browser: headless Debian chromium driven by
# puppeteer-core (tests/web/browser.js; installed by tests/web/setup.sh with `npm ci`).
# Screenshots of the run pages are kept in ${WEB_ARTIFACTS:-out/web} as test artifacts.
# Skipped, with the reason, when node, npm or chromium is missing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/weblib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	skip "node or npm missing (Debian: apt-get install nodejs npm)"
	report browser
	exit
fi
if [ ! -x "$CHROMIUM" ]; then
	skip "no chromium at $CHROMIUM (Debian: apt-get install chromium)"
	report browser
	exit
fi
if ! sh tests/web/setup.sh >"$TMP/npm.log" 2>&1; then
	skip "npm ci failed (offline?): $(tail -1 "$TMP/npm.log")"
	report browser
	exit
fi
OUT=${WEB_ARTIFACTS:-out/web}
mkdir -p "$OUT"
D=$TMP/data
mkdir -p "$D" "$TMP/rep"
bl token add browser --token-file "$D/tokens"
TOKEN=$(cat "$TMP/out")
for f in f1 f2 f3; do gen_family "$TMP/rep" $f 10; done
"$BOTLENS" learn "$TMP/rep" -o "$TMP/model.txt" 2>/dev/null
"$BOTLENS" synth --scenario storm-private -o "$TMP/storm.pcap" 2>/dev/null
python3 tests/scripts/xss_pcap.py "$TMP/xss.pcap"
cp "$TMP/rep/f2r1.f2" "$TMP/sample-f2.txt"
serve_start "$D" --workers 2 --model "$TMP/model.txt"
check "serve starts" [ -n "$ADDR" ]
need_server browser
CHROMIUM=$CHROMIUM node tests/web/browser.js "http://$ADDR" "$TOKEN" "$TMP/storm.pcap" "$TMP/xss.pcap" \
	"$TMP/sample-f2.txt" "$OUT" >"$TMP/node.log" 2>&1
NRC=$?
cat "$TMP/node.log"
line=$(grep -E '^browser: [0-9]+ passed' "$TMP/node.log")
if [ -n "$line" ]; then
	T_PASS=$((T_PASS + $(echo "$line" | sed -E 's/browser: ([0-9]+) passed.*/\1/')))
	T_FAIL=$((T_FAIL + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
fi
check "browser.js exits 0" [ "$NRC" -eq 0 ]
checkc "a screenshot of the run page is kept ($OUT/run-storm.png)" '[ -s "$OUT/run-storm.png" ]'
serve_stop
serve_log_check
report browser
