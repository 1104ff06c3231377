#!/bin/sh
# reader_identity.sh - the native capture reader against libpcap.
#
# For every capture under shared/data/pcap, `botlens packets --format tsv`
# with the native reader (default) and with `--reader libpcap` must give
# the same rows and the same exit code.  Where they cannot (libpcap's
# limits, or the two readers judging a damaged file differently), the
# difference is listed in tests/reader-differences.tsv:
#   file<TAB>native<TAB>libpcap<TAB>first_diff<TAB>reason
# native/libpcap: "P packets, exit E" as measured (P = rows printed);
# first_diff: the first packet row that differs ("-" when the shorter
# output is a prefix of the longer).  The script fails when a difference
# is not listed, when a listed one changes or vanishes, or when a row has
# no reason.
#
# Environment: BOTLENS (default build/botlens), BOTLENS_DATA (default
# ../shared/data), VERBOSE=1, UPDATE=1 (print measured rows for review).
# Ends with "reader_identity: N passed, N failed, N skipped".
NAME=reader_identity
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BOTLENS=${BOTLENS:-build/botlens}
DATA=${BOTLENS_DATA:-$(dirname "$ROOT")/shared/data}
TABLE=tests/reader-differences.tsv

if [ ! -d "$DATA/pcap" ]; then
	echo "$NAME: skipped: no test data at $DATA (set BOTLENS_DATA)"
	echo "$NAME: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
[ -x "$BOTLENS" ] || { echo "$NAME: no binary $BOTLENS (run make)"; echo "$NAME: 0 passed, 1 failed, 0 skipped"; exit 1; }
[ -f "$TABLE" ] || { echo "$NAME: missing $TABLE"; echo "$NAME: 0 passed, 1 failed, 0 skipped"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
grep -v '^#' "$TABLE" | grep -v '^[[:space:]]*$' >"$tmp/table"
pass=0 fail=0
bad=$(awk -F'\t' 'NF != 5 || $5 ~ /^[[:space:]]*$/ { print NR ": " $0 }' "$tmp/table")
if [ -n "$bad" ]; then
	echo "FAIL $TABLE: rows need 5 tab-separated columns and a reason:"
	echo "$bad"
	fail=$((fail + 1))
fi
: >"$tmp/seen"

(cd "$DATA/pcap" && find . -type f ! -name '*.txt' | sed 's|^\./||' | LC_ALL=C sort) >"$tmp/files"
while IFS= read -r rel; do
	f="$DATA/pcap/$rel"
	"$BOTLENS" packets -q --no-header --format tsv "$f" >"$tmp/n" 2>/dev/null
	nrc=$?
	"$BOTLENS" packets -q --no-header --format tsv --reader libpcap "$f" >"$tmp/l" 2>/dev/null
	lrc=$?
	row=$(awk -F'\t' -v f="$rel" '$1 == f' "$tmp/table")
	[ -n "$row" ] && echo "$rel" >>"$tmp/seen"
	if [ $nrc -eq $lrc ] && cmp -s "$tmp/n" "$tmp/l"; then
		if [ -z "$row" ]; then
			pass=$((pass + 1))
			[ -n "$VERBOSE" ] && echo "ok   $rel ($(wc -l <"$tmp/n") packets, exit $nrc)"
		else
			fail=$((fail + 1))
			echo "FAIL $rel: the readers now agree; remove it from $TABLE"
		fi
		continue
	fi
	nat="$(wc -l <"$tmp/n" | tr -d ' ') packets, exit $nrc"
	lib="$(wc -l <"$tmp/l" | tr -d ' ') packets, exit $lrc"
	first=$(cmp "$tmp/n" "$tmp/l" 2>/dev/null | sed -n 's/.* line \([0-9]*\)$/\1/p')
	[ -n "$first" ] || first=-
	measured=$(printf '%s\t%s\t%s' "$nat" "$lib" "$first")
	listed=$(printf '%s\n' "$row" | cut -f2-4)
	if [ -n "$UPDATE" ]; then
		reason=$(printf '%s\n' "$row" | cut -f5)
		printf '%s\t%s\t%s\n' "$rel" "$measured" "${reason:-TODO}" >>"$tmp/update"
	fi
	if [ -n "$row" ] && [ "$measured" = "$listed" ]; then
		pass=$((pass + 1))
		[ -n "$VERBOSE" ] && echo "ok   $rel: native $nat, libpcap $lib (listed)"
	elif [ -n "$row" ]; then
		fail=$((fail + 1))
		echo "FAIL $rel: native $nat, libpcap $lib, first difference $first;" \
			"listed as $(printf '%s' "$listed" | tr '\t' ' ')"
	else
		fail=$((fail + 1))
		echo "FAIL $rel: native $nat, libpcap $lib, first difference $first; not in $TABLE"
	fi
done <"$tmp/files"

stale=$(cut -f1 "$tmp/table" | LC_ALL=C sort | comm -23 - "$(LC_ALL=C sort "$tmp/seen" >"$tmp/seen.s"; echo "$tmp/seen.s")")
if [ -n "$stale" ]; then
	echo "FAIL rows of $TABLE that name no capture:"
	echo "$stale"
	fail=$((fail + 1))
fi
if [ -n "$UPDATE" ] && [ -f "$tmp/update" ]; then
	echo "# measured differences:"
	cat "$tmp/update"
	fail=$((fail + 1))
fi
echo "$NAME: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
