#!/bin/sh
# expect.sh - the run-explanation score on the real captures of
# ../shared/data/pcap/real against the analyst's EXPECT.tsv
# (../shared/tools/score-expect.py), with the floors of the detectors
# issue: at least EXPECT_MIN expectations met and no false claim on the
# benign captures.  Skipped with a reason when the data or tool is absent.
. "$(dirname "$0")/lib.sh"
REAL=$DATA/pcap/real
TOOL=$(cd .. && pwd)/shared/tools/score-expect.py
EXPECT_MIN=${EXPECT_MIN:-64}

if [ ! -f "$REAL/EXPECT.tsv" ] || [ ! -f "$TOOL" ] || ! command -v python3 >/dev/null; then
	skip "score on real captures: $REAL/EXPECT.tsv or $TOOL or python3 absent"
	report expect
	exit $?
fi
python3 "$TOOL" "$REAL/EXPECT.tsv" "$REAL" --botlens "$BOTLENS" >"$TMP/score" 2>&1
cat "$TMP/score"
line=$(grep '^expectations met' "$TMP/score")
met=$(echo "$line" | sed -E 's/.*met ([0-9]+)\/.*/\1/')
false_claims=$(echo "$line" | sed -E 's/.*benign captures ([0-9]+).*/\1/')
checkc "score line printed" '[ -n "$line" ]'
checkc "at least $EXPECT_MIN expectations met (got ${met:-none})" '[ "${met:-0}" -ge "$EXPECT_MIN" ]'
checkc "no false claim on benign captures (got ${false_claims:-none})" '[ "${false_claims:-1}" -eq 0 ]'
checkc "no capture without JSON" '! grep -q "^no JSON" "$TMP/score"'
report expect
