# golden.sh - synthetic scenarios: expected outputs (tests/golden/TESTLIST)
# and ground truth (every truth flow found by `botlens flows`, no extra).
# With --update, rewrites the expected outputs instead of comparing.
. "$(dirname "$0")/lib.sh"
update=0
case "$BOTLENS" in /*) ;; *) BOTLENS="$PWD/$BOTLENS" ;; esac
[ "${1:-}" = --update ] && update=1

synth() {  # synth SCENARIO SEED -> $TMP/SCENARIO-SEED.pcap
	f="$TMP/$1-$2.pcap"
	[ -f "$f" ] || "$BOTLENS" synth --scenario "$1" --seed "$2" -o "$f" 2>"$TMP/synth.err"
	echo "$f"
}

tab=$(printf '\t')
while IFS="$tab" read -r name scen seed cmd; do
	case "$name" in '#'* | '') continue ;; esac
	synth "$scen" "$seed" >/dev/null
	# run in $TMP with a relative name, so outputs do not depend on where TMP is
	IN="$scen-$seed.pcap"
	(cd "$TMP" && eval "\"\$BOTLENS\" $cmd") 2>"$TMP/err" >"$TMP/$name.out"
	if [ "$update" -eq 1 ]; then
		cp "$TMP/$name.out" "tests/golden/$name.out"
		continue
	fi
	if [ ! -f "tests/golden/$name.out" ]; then
		check "$name: expected output exists" false
	elif cmp -s "$TMP/$name.out" "tests/golden/$name.out"; then
		check "$name" true
	else
		check "$name matches tests/golden/$name.out" false
		diff "tests/golden/$name.out" "$TMP/$name.out" | head -10
	fi
done <tests/golden/TESTLIST

# Determinism: the same seed gives byte-identical captures; another seed does not.
for s in storm-private storm-public benign-browsing; do
	"$BOTLENS" synth --scenario "$s" --seed 7 -o "$TMP/d1.pcap" 2>/dev/null
	"$BOTLENS" synth --scenario "$s" --seed 7 -o "$TMP/d2.pcap" 2>/dev/null
	"$BOTLENS" synth --scenario "$s" --seed 8 -o "$TMP/d3.pcap" 2>/dev/null
	check "$s: deterministic" cmp -s "$TMP/d1.pcap" "$TMP/d2.pcap"
	check "$s: seed matters" sh -c "! cmp -s '$TMP/d1.pcap' '$TMP/d3.pcap'"
	check "$s: truth deterministic" cmp -s "$TMP/d1.pcap.truth.json" "$TMP/d2.pcap.truth.json"
done

# The two-thread pass (reader thread + analysis) gives what one thread gives.
for s in storm-private storm-public benign-browsing; do
	IN=$(synth "$s" 1)
	"$BOTLENS" flows --threads 1 "$IN" >"$TMP/t1" 2>&1
	"$BOTLENS" flows --threads 2 "$IN" >"$TMP/t2" 2>&1
	check "$s: --threads 1 and 2 give identical flows" cmp -s "$TMP/t1" "$TMP/t2"
	"$BOTLENS" hosts --threads 1 "$IN" >"$TMP/t1" 2>&1
	"$BOTLENS" hosts --threads 2 "$IN" >"$TMP/t2" 2>&1
	check "$s: --threads 1 and 2 give identical hosts" cmp -s "$TMP/t1" "$TMP/t2"
done

# Ground truth: the flows botlens finds are exactly the truth's flows.
if command -v jq >/dev/null 2>&1; then
	for s in storm-private storm-public benign-browsing; do
		for seed in 1 2 3; do
			IN=$(synth "$s" "$seed")
			jq -r '.flows[] | [.proto, .orig_h, (.orig_p|tostring), .resp_h, (.resp_p|tostring)] | join(" ")' \
				"$IN.truth.json" | sort >"$TMP/truth"
			"$BOTLENS" flows --no-header "$IN" | awk -F'\t' '{print $8, $4, $5, $6, $7}' | sort >"$TMP/found"
			check "$s seed $seed: truth flows = botlens flows ($(wc -l <"$TMP/truth") flows)" \
				cmp -s "$TMP/truth" "$TMP/found"
			cmp -s "$TMP/truth" "$TMP/found" || diff "$TMP/truth" "$TMP/found" | head -5
		done
	done
else
	skip "jq not installed: ground-truth comparison"
fi
report golden
