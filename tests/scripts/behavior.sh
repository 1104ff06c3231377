#!/bin/sh
# behavior.sh - learn / classify / explain / evaluate / cluster end to end:
# synthetic families written as text reports (NAME.FAMILY), the same
# report as a file, in a directory and in archives, malformed inputs,
# and the real reports in ../shared/data/reports when present.
. "$(dirname "$0")/lib.sh"

R="$TMP/rep"
mkdir -p "$R"
# gen_family FAM COUNT: reports of one family, motifs of its own operations plus shared noise
gen_family() {
	awk -v fam="$1" -v count="$2" -v dir="$R" 'BEGIN {
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
for f in f1 f2 f3 f4 f5; do gen_family $f 12; done

bl learn "$R" -o "$TMP/m.txt"
check "learn exits 0" [ "$RC" -eq 0 ]
check "model is versioned" grep -q '^botlens-behavior-model 3$' "$TMP/m.txt"
check "model keeps the combined open-set test" \
	grep -Eq '^open-set-threshold [0-9.e+-]+ weights=[0-9.e+-]+,[0-9.e+-]+,[0-9.e+-]+,[0-9.e+-]+ support=[1-9][0-9]*$' "$TMP/m.txt"
check "model keeps prototypes and the calibration" \
	grep -q '^prototypes [1-9]' "$TMP/m.txt" && grep -q '^calibration budget=0.05 .* held-out=5$' "$TMP/m.txt"
check "learn prints the calibration" grep -q 'calibration: .* of unseen families (each of 5 held out in turn)' "$TMP/err"
check "model has 5 families" grep -q '^families 5$' "$TMP/m.txt"

bl explain "$TMP/m.txt" --family f3 --top 3 --format tsv
check "explain exits 0" [ "$RC" -eq 0 ]
check "explain shows f3's own n-grams" [ "$(grep -c '\.f3' "$TMP/out")" -eq 3 ]
bl explain "$TMP/m.txt" --family nosuch
check "explain unknown family is a usage error" [ "$RC" -eq 2 ]

bl classify "$TMP/m.txt" "$R/f2r3.f2" --format tsv
check "classify names the family" [ "$(cut -f2 "$TMP/out" | tail -1)" = f2 ]
bl classify "$TMP/m.txt" "$R/f2r3.f2" --format json
check "classify json has runner-up and features" grep -q '"runner_up":.*"features":\[{"ngram"' "$TMP/out"

# a version 1 model (score threshold only) is still read: the v2 and v3 lines and prototypes removed
awk '/^botlens-behavior-model/ { print "botlens-behavior-model 1"; next }
	/^(margin-threshold|distance-threshold|open-set-threshold|distance-scale|novelty-scale|score-offset|margin-offset|calibration) / { next }
	/^prototypes / { skip = 1; next } skip && !/^end$/ { next } { print }' "$TMP/m.txt" > "$TMP/m1.txt"
bl classify "$TMP/m1.txt" "$R/f2r3.f2" --format tsv
checkc "version 1 model still classifies" '[ "$RC" -eq 0 ] && [ "$(cut -f2 "$TMP/out" | tail -1)" = f2 ]'
# a version 2 model (score, margin and distance thresholds) too: the v3 lines removed, a distance threshold given
awk '/^botlens-behavior-model/ { print "botlens-behavior-model 2"; next }
	/^distance-threshold / { print "distance-threshold 1.5"; next }
	/^(open-set-threshold|novelty-scale) / { next } { print }' "$TMP/m.txt" > "$TMP/m2.txt"
bl classify "$TMP/m2.txt" "$R/f2r3.f2" --format json
checkc "version 2 model still classifies (distance, no novelty)" \
	'[ "$RC" -eq 0 ] && grep -q "\"family\":\"f2\".*\"distance\":" "$TMP/out" && ! grep -q novelty "$TMP/out"'
sed 's/^\(open-set-threshold [^ ]*\) weights=\([^,]*\),\([^,]*\),.*/\1 weights=\2,\3 support=1/' "$TMP/m.txt" > "$TMP/mbad.txt"
bl classify "$TMP/mbad.txt" "$R/f2r3.f2"
checkc "malformed open-set line refused" '[ "$RC" -eq 3 ] && grep -q "open-set-threshold VALUE|none weights=" "$TMP/err"'
sed 's/^botlens-behavior-model 3$/botlens-behavior-model 9/' "$TMP/m.txt" > "$TMP/m9.txt"
bl classify "$TMP/m9.txt" "$R/f2r3.f2"
checkc "unknown model version refused with a reason" '[ "$RC" -eq 3 ] && grep -q "unsupported model version" "$TMP/err"'

# --level does not apply to text reports: refused, not ignored
bl learn --level 2 --input-format text "$R" -o "$TMP/lv.txt"
checkc "--level 2 with text input: usage error" '[ "$RC" -eq 2 ] && grep -q "does not apply to text" "$TMP/err"'
bl learn --level 3 "$R" -o "$TMP/lv.txt"
checkc "--level 3 on detected text reports: refused per file" '[ "$RC" -eq 3 ] && grep -q "argument level 3 does not apply" "$TMP/err"'

# exact duplicates: found, reported, dropped on request
mkdir -p "$TMP/dup"
cp "$R"/* "$TMP/dup/"
cp "$R/f1r0.f1" "$TMP/dup/copy0.f1"
cp "$R/f1r0.f1" "$TMP/dup/copy1.f1"
cp "$R/f2r0.f2" "$TMP/dup/copy2.f3"
bl learn "$TMP/dup" -o "$TMP/md.txt"
checkc "learn reports duplicates and the conflict" \
	'[ "$RC" -eq 0 ] && grep -q "3 duplicate report(s) .* in 2 group(s), 1 group(s) with conflicting labels; kept" "$TMP/err"'
bl learn --dedup "$TMP/dup" -o "$TMP/md.txt"
checkc "learn --dedup drops them" '[ "$RC" -eq 0 ] && grep -q "4 report(s) dropped (--dedup)" "$TMP/err" &&
	grep -q "from 59 reports" "$TMP/err"'
bl evaluate --folds 3 "$TMP/dup" --format tsv
checkc "evaluate drops duplicates by default and says so" \
	'[ "$RC" -eq 0 ] && grep -q "dropped (evaluation drops them" "$TMP/err" && grep -q "^reports	59$" "$TMP/out"'
bl cluster "$TMP/dup" --max-dist 1.0 --min-dist 1.2 --min-size 3
check "cluster reports duplicates" grep -q "3 duplicate report(s)" "$TMP/err"
check "cluster prints both conventions for rejected reports" grep -q "(rejected as singletons); as Malheur (rejected as one cluster)" "$TMP/out"

# an unseen family is rejected
mkdir -p "$TMP/unk"
R="$TMP/unk" gen_family f9 4
bl classify "$TMP/m.txt" "$TMP/unk" --format tsv
check "unseen family rejected as unknown" [ "$(grep -c 'unknown' "$TMP/out")" -ge 3 ]

bl evaluate --folds 3 "$R" --format tsv
check "evaluate exits 0" [ "$RC" -eq 0 ]
acc=$(awk -F'\t' '$1 == "accuracy" { print $2 }' "$TMP/out")
check "synthetic 3-fold accuracy >= 0.95 ($acc)" awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }'
bl evaluate --folds 3 --unknown-family f4 "$R" --format json
rej=$(sed -E 's/.*"unknown_rejected":([0-9.]+).*/\1/' "$TMP/out")
check "held-out family rejected >= 0.9 ($rej)" awk -v a="$rej" 'BEGIN { exit !(a >= 0.9) }'
check "evaluate json has confusion and per-family F1" grep -q '"f1":.*"confusion":\[\[' "$TMP/out"
bl evaluate --folds 3 --open-set "$R" --format tsv
mean=$(awk -F'\t' '$1 == "unknown_rejected_mean" { print $2 }' "$TMP/out")
kfr=$(awk -F'\t' '$1 == "known_false_rejection" { print $2 }' "$TMP/out")
checkc "open-set: every family held out, mean rejected >= 0.9 ($mean), known false rejection <= 0.08 ($kfr)" \
	'[ "$RC" -eq 0 ] && [ "$(grep -c "^f[1-5]	12	" "$TMP/out")" -eq 5 ] &&
	awk -v a="$mean" -v k="$kfr" "BEGIN { exit !(a >= 0.9 && k <= 0.08) }"'
bl evaluate --open-set --unknown-family f1 "$R"
check "--open-set with --unknown-family: usage" [ "$RC" -eq 2 ]

# --- JSON through json-c (issue 17): valid JSON lines, the same shape, no float noise ---
json_lines_ok() {  # every line parses, and no number carries more decimals than the convention's 6
	[ -s "$1" ] && python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$1" &&
		! grep -Eq '[:,\[]-?[0-9]+\.[0-9]{7,}' "$1"
}
bl classify "$TMP/m.txt" "$R/f2r3.f2" "$R/f1r5.f1" --format json
checkc "classify json: valid JSON lines, keys report..features (distance and novelty with a v3 model), scores 4 decimals at most" \
	'json_lines_ok "$TMP/out" && [ "$(jq -c keys_unsorted "$TMP/out" | sort -u)" = "[\"report\",\"family\",\"score\",\"best\",\"runner_up\",\"runner_up_score\",\"distance\",\"novelty\",\"label\",\"features\"]" ] && ! grep -Eq "score\":-?[0-9]+\.[0-9]{5,}" "$TMP/out"'
bl explain "$TMP/m.txt" --top 3 --format json
checkc "explain json: valid JSON lines, family/rank/weight/ngram" \
	'json_lines_ok "$TMP/out" && [ "$(wc -l <"$TMP/out")" -eq 15 ] && jq -e "(.rank | type == \"number\") and (.weight | type == \"number\") and (.ngram | type == \"string\")" "$TMP/out" >/dev/null'
bl cluster "$R" --max-dist 1.0 --min-dist 1.2 --min-size 3 --format json
checkc "cluster json: valid JSON lines, one per report and the quality line" \
	'json_lines_ok "$TMP/out" && [ "$(jq -s "map(select(has(\"report\"))) | length" "$TMP/out")" -eq "$(ls "$R" | wc -l)" ] && tail -1 "$TMP/out" | jq -e ".ari | type == \"number\"" >/dev/null'
bl evaluate --folds 3 "$R" --format json
checkc "evaluate json: valid JSON (python -m json.tool), families and a square confusion matrix" \
	'python3 -m json.tool "$TMP/out" >/dev/null && json_lines_ok "$TMP/out" && jq -e "(.confusion | length) == (.confusion[0] | length)" "$TMP/out" >/dev/null'

bl cluster "$R" --max-dist 1.0 --min-dist 1.2 --min-size 3
check "cluster exits 0" [ "$RC" -eq 0 ]
check "cluster quality F >= 0.95" awk '/^# clusters/ { f = $11 + 0 } END { exit !(f >= 0.95) }' "$TMP/out"

# incremental, one report at a time
n=0
for f in "$R"/*; do
	bl cluster --incremental "$TMP/state" --max-dist 1.0 --min-dist 1.2 --min-size 3 "$f" --format tsv
	[ "$RC" -eq 0 ] || n=$((n + 1))
done
check "incremental runs all exit 0" [ "$n" -eq 0 ]
bl cluster --incremental "$TMP/state" "$R/f1r0.f1" --format tsv -q
check "incremental: a known report joins a cluster" [ "$(tail -1 "$TMP/out" | cut -f2)" != rejected ]
check "state keeps prototypes" grep -q '^prototypes [1-9]' "$TMP/state"

# the same report as a file, in a directory, in tar.gz and zip: same scores
mkdir -p "$TMP/d/sub"
cp "$R/f1r5.f1" "$TMP/d/sub/"
(cd "$TMP/d" && tar czf ../a.tar.gz sub) 2>/dev/null
bl classify "$TMP/m.txt" "$R/f1r5.f1" --format tsv
cut -f2- "$TMP/out" > "$TMP/c1"
bl classify "$TMP/m.txt" "$TMP/d" --format tsv
cut -f2- "$TMP/out" > "$TMP/c2"
bl classify "$TMP/m.txt" "$TMP/a.tar.gz" --format tsv
cut -f2- "$TMP/out" > "$TMP/c3"
check "file and directory give the same vector" cmp -s "$TMP/c1" "$TMP/c2"
check "file and tar.gz give the same vector" cmp -s "$TMP/c1" "$TMP/c3"
check "archive entries are named archive:path" grep -q 'a.tar.gz:sub/f1r5.f1' "$TMP/out"
if command -v zip >/dev/null 2>&1; then
	(cd "$TMP/d" && zip -qr ../a.zip sub)
	bl classify "$TMP/m.txt" "$TMP/a.zip" --format tsv
	cut -f2- "$TMP/out" > "$TMP/c4"
	check "file and zip give the same vector" cmp -s "$TMP/c1" "$TMP/c4"
else
	skip "zip not installed"
fi

# labels of archive entries come from the entry's name
(cd "$R" && tar czf "$TMP/all.tar.gz" .)
bl learn "$TMP/all.tar.gz" -o "$TMP/m3.txt"
check "tar.gz corpus: families from entry names" grep -q '^families 5$' "$TMP/m3.txt"

# labels file instead of suffixes
for f in "$R"/*; do b=$(basename "$f"); printf '%s\t%s\n' "$b" "X${b##*.}"; done > "$TMP/labels.tsv"
bl learn --labels "$TMP/labels.tsv" "$R" -o "$TMP/m2.txt"
check "labels file gives the families" grep -q '^family Xf1$' "$TMP/m2.txt"

# malformed inputs: clear errors naming file and position
printf '{"behavior": {"processes": [\n {"calls": [ {"api": "X",, }]}]}}' > "$TMP/bad.json"
bl classify "$TMP/m.txt" "$TMP/bad.json" "$R/f1r1.f1"
checkc "malformed JSON: exit 1 (damaged), others still classified" '[ "$RC" -eq 1 ] && [ -s "$TMP/out" ]'
check "malformed JSON: error names file, line and column" grep -q "cannot read '.*bad.json': line 2, column 26" "$TMP/err"
printf '# process 1 #\nzz zz | x\n' > "$TMP/bad.mist"
bl classify "$TMP/m.txt" "$TMP/bad.mist"
check "malformed MIST: error names line" grep -q "bad.mist': line 2, column 1" "$TMP/err"
check "malformed only: exit 3" [ "$RC" -eq 3 ]
head -c 300 "$TMP/m.txt" > "$TMP/trunc.txt"
bl classify "$TMP/trunc.txt" "$R/f1r1.f1"
checkc "truncated model: exit 3 with a reason" '[ "$RC" -eq 3 ] && grep -q "cannot read model" "$TMP/err"'
bl learn "$R"
check "learn without -o: usage" [ "$RC" -eq 2 ]
bl evaluate --folds 1 "$R"
check "folds 1: usage" [ "$RC" -eq 2 ]
bl cluster --weight tfidf "$R"
check "cluster tfidf: usage" [ "$RC" -eq 2 ]
bl classify "$TMP/m.txt" "$TMP/nonexistent"
checkc "missing input: exit 3" '[ "$RC" -eq 3 ] && grep -q "nonexistent" "$TMP/err"'

# network profiles: captures are reports too (one event per flow)
NP="$TMP/np"
mkdir -p "$NP"
for seed in 1 2 3 4; do
	"$BOTLENS" synth -s storm-private --seed $seed --duration 240 -o "$NP/s$seed.STORM" --truth /dev/null
	"$BOTLENS" synth -s storm-public --seed $seed --duration 240 -o "$NP/p$seed.STORMPUB" --truth /dev/null
	"$BOTLENS" synth -s benign-browsing --seed $seed --duration 240 -o "$NP/b$seed.BENIGN" --truth /dev/null
done
bl evaluate --folds 4 "$NP" --format tsv
acc=$(awk -F'\t' '$1 == "accuracy" { print $2 }' "$TMP/out")
checkc "network profiles: 3 families from captures, 4-fold accuracy 1 ($acc)" '[ "$RC" -eq 0 ] && [ "$acc" = "1.0000" ]'
bl learn -o "$TMP/np.model" "$NP"
check "network profiles: learn" [ "$RC" -eq 0 ]
"$BOTLENS" synth -s storm-private --seed 77 --duration 240 -o "$TMP/new.pcap" --truth /dev/null
gzip -c "$TMP/new.pcap" > "$TMP/new.pcap.gz"
bl classify --no-reject "$TMP/np.model" "$TMP/new.pcap" "$TMP/new.pcap.gz" --format tsv
nstorm=$(awk -F'\t' '$2 == "STORM"' "$TMP/out" | wc -l)
checkc "network profiles: a new Storm run, plain and gzip, is nearest STORM" '[ "$RC" -eq 0 ] && [ "$nstorm" -eq 2 ]'
printf 'not a capture' > "$TMP/bad.pcap"
printf '\324\303\262\241\002\000\004\000' > "$TMP/cut.pcap"
bl classify "$TMP/np.model" "$TMP/cut.pcap"
checkc "network profiles: a cut capture is an error naming it" '[ "$RC" -ne 0 ] && grep -q "cut.pcap" "$TMP/err"'

# real reports
D="$DATA/reports"
if [ -f "$D/report.json" ] && [ -f "$D/report.mist" ]; then
	bl classify "$TMP/m.txt" "$D/report.json" "$D/report.mist" "$D/report3.mist" \
		"$D/0000a65749f5902c4d82ffa701198038f0b4870b00a27cfca109f8f933476d82.json" --format tsv
	checkc "Cuckoo, CAPE and MIST fixtures parse" '[ "$RC" -eq 0 ] && [ "$(wc -l < "$TMP/out")" -eq 5 ]'
else
	skip "fixture reports absent from $D"
fi
if [ -f "$D/MalBehavD-V1-dataset.csv" ]; then
	# 969 of its 2,570 rows repeat another row's API sequence (188 groups, one with both labels):
	# with them, folds test on training data; the historic floor is on that figure
	bl evaluate --folds 5 --keep-duplicates "$D/MalBehavD-V1-dataset.csv" --format tsv
	acc=$(awk -F'\t' '$1 == "accuracy" { print $2 }' "$TMP/out")
	echo "MalBehavD-V1 5-fold accuracy, duplicates kept: $acc"
	check "MalBehavD-V1 5-fold accuracy, duplicates kept >= 0.95 ($acc)" awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }'
	check "MalBehavD-V1 duplicates found" grep -q "969 duplicate report(s) .* in 188 group(s), 1 group(s) with conflicting" "$TMP/err"
	bl evaluate --folds 5 "$D/MalBehavD-V1-dataset.csv" --format tsv
	acc=$(awk -F'\t' '$1 == "accuracy" { print $2 }' "$TMP/out")
	echo "MalBehavD-V1 5-fold accuracy, deduplicated (1,600 reports): $acc"
	check "MalBehavD-V1 5-fold accuracy, deduplicated >= 0.90 ($acc)" awk -v a="$acc" 'BEGIN { exit !(a >= 0.90) }'
else
	skip "MalBehavD-V1-dataset.csv absent from $D"
fi
report behavior
