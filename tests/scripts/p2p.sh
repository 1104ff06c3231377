#!/bin/sh
# p2p.sh - the Overnet/Storm simulator, crawler and size estimates on the
# loopback (127.77.0.0/16 and 127.78.0.0/16 only), small: 300 bots.
# Waits are event-driven with bounded timeouts: the crawler waits for the
# simulator's bootstrap file (renamed into place once every socket is up).
. "$(dirname "$0")/lib.sh"
# fontconfig's per-process cache (botnet-size images) is not a botlens leak (tests/lsan.supp)
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/tests/lsan.supp"

KEY=00112233445566778899aabbccddeeff0123456789abcdef0011223344556677fedcba9876543210
BAD=ff112233445566778899aabbccddeeff0123456789abcdef0011223344556677fedcba9876543210
SIM_PID=

stop_sim() {
	[ -n "$SIM_PID" ] && kill -TERM "$SIM_PID" 2>/dev/null && wait "$SIM_PID"
	SIM_PID=
}
trap 'stop_sim; rm -rf "$TMP"' EXIT

# --- usage errors (no network) ---
bl crawl --bootstrap 192.0.2.1:4662 -o "$TMP/x"
check "crawl refuses a non-loopback target (exit 2)" [ "$RC" -eq 2 ]
check "crawl names --allow-remote" grep -q -- '--allow-remote' "$TMP/err"
bl p2p simulate --peers 10 --churn gamma:1 --truth "$TMP/t"
check "simulate refuses an unknown churn model" [ "$RC" -eq 2 ]
bl p2p simulate --peers 10 --xor-key abc --truth "$TMP/t"
check "simulate refuses a short XOR key" [ "$RC" -eq 2 ]
bl p2p simulate --peers 10
check "simulate needs --truth" [ "$RC" -eq 2 ]
bl botnet-size "$TMP/nonexistent"
check "botnet-size: missing input is exit 3" [ "$RC" -eq 3 ]

# --- progress on a terminal (script(1) gives the simulator a pty), none with -q or off a terminal ---
if command -v script >/dev/null 2>&1; then
	script -qec "$BOTLENS p2p simulate --peers 5 --duration 2.2 --net 93 --truth $TMP/tp.jsonl" /dev/null >"$TMP/tty.out"
	check "simulate on a terminal: a status line each second on stderr" sh -c \
		"[ \$(grep -o 'botlens: simulate: [0-9]*/2 s, [0-9]* bots online' '$TMP/tty.out' | wc -l) -ge 2 ]"
	script -qec "$BOTLENS p2p simulate -q --peers 5 --duration 1.2 --net 93 --truth $TMP/tq.jsonl" /dev/null >"$TMP/tty.out"
	check "simulate -q on a terminal: no progress" sh -c "! grep -q 'simulate:' '$TMP/tty.out'"
else
	skip "simulate progress: no script(1)"
fi
bl p2p simulate --peers 5 --duration 1.2 --net 93 --truth "$TMP/tp.jsonl"
check "simulate off a terminal: nothing on stderr" sh -c "[ $RC -eq 0 ] && [ ! -s '$TMP/err' ]"
check "simulate truth: valid JSON lines (json-c), config, peers, summary, end" sh -c \
	"python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' '$TMP/tp.jsonl' && \
	 jq -s -e 'map(.type) | (index(\"config\") == 0) and (.[-1] == \"end\") and (map(select(. == \"peer\")) | length == 5)' '$TMP/tp.jsonl' >/dev/null && \
	 ! grep -Eq '[0-9]\\.[0-9]{7,}' '$TMP/tp.jsonl'"

# --- an encrypted (Storm) overlay: 300 bots, 30 % NAT, 8 sybils, fast churn (Weibull scale 120 s:
# with seed 5 about 11 reachable bots join and 19 leave between the two crawls 4 s apart) ---
"$BOTLENS" p2p simulate --peers 300 --online-frac 0.7 --nat-frac 0.3 --churn weibull:0.8,120 \
	--duration 60 --xor-key "$KEY" --sybils 8 --net 77 --seed 5 \
	--truth "$TMP/truth.jsonl" --bootstrap-out "$TMP/boot.txt" 2>"$TMP/sim.err" &
SIM_PID=$!

"$BOTLENS" crawl --bootstrap @"$TMP/boot.txt" --wait-bootstrap 30 --xor-key "$BAD" --timeout 0.3 \
	--retries 1 -q -o "$TMP/wrong.jsonl"
check "wrong-key crawl runs" [ $? -eq 0 ]
check "wrong key: nothing responsive" [ "$(jq -s '[.[] | select(.responsive == true)] | length' "$TMP/wrong.jsonl")" -eq 0 ]
check "wrong key: only the bootstrap peers are known" \
	[ "$(jq -s '[.[] | select(.type == "crawl")][0].known' "$TMP/wrong.jsonl")" -le 16 ]

"$BOTLENS" crawl --bootstrap @"$TMP/boot.txt" --xor-key "$BAD" --timeout 0.3 --retries 1 -q -o /dev/full \
	2>"$TMP/full.err"
check "crawl -o /dev/full: exit 4" [ $? -eq 4 ]
check "crawl -o /dev/full: message" grep -q "^botlens: cannot write '/dev/full': No space left on device$" "$TMP/full.err"

"$BOTLENS" crawl --bootstrap @"$TMP/boot.txt" --xor-key "$KEY" --rounds 2 --interval 4 --timeout 0.5 \
	--rate 4000 -q -o "$TMP/crawls.jsonl"
check "right-key crawl runs" [ $? -eq 0 ]
check "crawl file: valid JSON lines (json-c), crawl headers and node lines with probe arrays, no float noise" sh -c \
	"python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' '$TMP/crawls.jsonl' && \
	 jq -s -e '(map(select(.type == \"crawl\")) | length == 2) and (map(select(.addr)) | all(.probes | type == \"array\"))' '$TMP/crawls.jsonl' >/dev/null && \
	 ! grep -Eq '[0-9]\\.[0-9]{7,}' '$TMP/crawls.jsonl'"
stop_sim
check "truth ends cleanly after SIGTERM" grep -q '"type":"end"' "$TMP/truth.jsonl"

bl botnet-size "$TMP/crawls.jsonl" --truth "$TMP/truth.jsonl" --format json
check "botnet-size json" [ "$RC" -eq 0 ]
cp "$TMP/out" "$TMP/size.json"
jq -s '.[] | select(.type == "crawl")' "$TMP/size.json" > "$TMP/per.json"
check "right key: the overlay is found (> 100 responsive)" \
	[ "$(jq -s '.[0].effective' "$TMP/per.json")" -gt 100 ]
check "coverage of bots online throughout each crawl >= 97 %" \
	[ "$(jq -s 'map(.found_stable * 100 >= .truth_stable * 97) | all' "$TMP/per.json")" = true ]
check "every known address was probed (probe times in the snapshot)" \
	[ "$(jq -s 'map(select(.type == null and ((.probes // []) | length) == 0)) | length' "$TMP/crawls.jsonl")" -eq 0 ]
check "effective-size error (against bots online when probed) within 5 %" \
	[ "$(jq -s 'map(.error_pct | fabs <= 5) | all' "$TMP/per.json")" = true ]
check "NAT'd online bots exist and are all invisible" \
	[ "$(jq -s 'map(.truth_nat_online > 0 and .nat_invisible == .truth_nat_online) | all' "$TMP/per.json")" = true ]
# churn against the at-probe truth (bots online when the crawler probed their address, per crawl);
# the check only means something when there is churn to measure
check "the truth has churn between the crawls (>= 10 bots joined or left)" \
	[ "$(jq -s '.[1] | .truth_joined + .truth_left >= 10' "$TMP/per.json")" = true ]
check "churn (joined) within 2 bots of the truth at probe time" \
	[ "$(jq -s '.[1] | (.joined + .returned - .truth_joined) | fabs <= 2' "$TMP/per.json")" = true ]
check "churn (left) within 2 bots of the truth at probe time" \
	[ "$(jq -s '.[1] | (.left - .truth_left) | fabs <= 2' "$TMP/per.json")" = true ]
check "the looser 'online during' figures are reported too" \
	[ "$(jq -s '.[1] | (.truth_reachable_during >= 0 and .truth_joined_during >= 0 and .truth_left_during >= 0)' "$TMP/per.json")" = true ]
check "the sybil host is flagged" \
	[ "$(jq -s '.[] | select(.type == "summary") | .sybil_hosts' "$TMP/size.json")" -eq 1 ]
check "the report states why peers are invisible" grep -q 'NAT' "$TMP/size.json"

bl botnet-size "$TMP/crawls.jsonl" --truth "$TMP/truth.jsonl" -o "$TMP/series.tsv"
check "text report names NAT'd bots as invisible" grep -q "NAT'd bots were online" "$TMP/out"
check "series file has one row per crawl" [ "$(grep -vc '^#' "$TMP/series.tsv")" -eq 2 ]

# --- passive view: distinct Overnet peers in a synthetic Storm capture ---
bl synth -s storm-private -o "$TMP/storm.pcap"
bl botnet-size "$TMP/crawls.jsonl" -o "$TMP/size.png"
checkc "botnet-size -o size.png: a 1000x520 PNG plot over time" \
	'[ "$RC" -eq 0 ] && [ "$(od -An -tx1 -j16 -N8 "$TMP/size.png" | tr -d " \n")" = "000003e800000208" ]'
bl botnet-size "$TMP/crawls.jsonl" -o "$TMP/size.svg"
checkc "botnet-size -o size.svg: an SVG" '[ "$RC" -eq 0 ] && grep -q "<svg" "$TMP/size.svg"'
bl botnet-size --from-capture "$TMP/storm.pcap" --bin 300
check "from-capture counts Overnet peers" grep -qE 'distinct Overnet peers: [1-9][0-9]+ ' "$TMP/out"
PLAIN_PEERS=$(sed -n 's/^distinct Overnet peers: \([0-9]*\) .*/\1/p' "$TMP/out")

# --- Storm's XOR variant: the same run encrypted; the key recovered from the capture ---
bl synth -s storm-private --xor-key "$KEY" -o "$TMP/xor.pcap"
checkc "synth --xor-key writes the key into the truth" \
	'[ "$RC" -eq 0 ] && grep -q "\"xor_key\": \"$KEY\"" "$TMP/xor.pcap.truth.json"'
bl synth -s benign-browsing --xor-key "$KEY" -o "$TMP/x.pcap"
check "synth refuses an XOR key for a scenario without Overnet" [ "$RC" -ne 0 ]
bl botnet-size --from-capture "$TMP/xor.pcap"
check "without the key the encrypted run shows no Overnet peer" grep -q 'distinct Overnet peers: 0 ' "$TMP/out"
bl botnet-size --from-capture "$TMP/xor.pcap" --xor-key auto
checkc "--xor-key auto finds as many peers as in the plain run ($PLAIN_PEERS)" \
	'[ "$RC" -eq 0 ] && grep -q "distinct Overnet peers: $PLAIN_PEERS " "$TMP/out"'
# the recovered bytes (?? = no known plaintext fell there) agree with the key used
GOT=$(sed -n 's/.*recovered from .*: \([0-9a-f?]*\)$/\1/p' "$TMP/err")
checkc "--xor-key auto recovers key bytes that match the key used" \
	'[ ${#GOT} -eq 80 ] && echo "$KEY" | grep -q "^$(echo "$GOT" | tr "?" .)\$" && [ "$GOT" != "$(printf "?%.0s" $(seq 80))" ]'
bl botnet-size --from-capture "$TMP/storm.pcap" --xor-key auto
checkc "--xor-key auto on a plain run: no key, the plain count" \
	'[ "$RC" -eq 0 ] && grep -q "no Storm XOR key" "$TMP/err" && grep -q "distinct Overnet peers: $PLAIN_PEERS " "$TMP/out"'
"$BOTLENS" botnet-size --from-capture - --xor-key auto <"$TMP/xor.pcap" >/dev/null 2>"$TMP/err"
check "--xor-key auto refuses standard input (exit 2)" [ $? -eq 2 ]
bl report -q --no-geo --format json "$TMP/xor.pcap"
checkc "report recognises the encrypted Overnet under the recovered key, every peer" \
	'jq -e --argjson n "$PLAIN_PEERS" "[.hosts[].behaviors[] | select(.kind == \"p2p\" and .protocol == \"overnet (storm xor)\" and .peers == \$n)] | length == 1" "$TMP/out" >/dev/null'

report p2p
