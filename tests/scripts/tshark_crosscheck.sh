#!/bin/sh
# tshark_crosscheck.sh - botlens info against tshark as the oracle.
#
# For every capture in shared/data/pcap/behavior and pcap/malformed this
# compares `botlens info --format json` with tshark (Wireshark) on:
#   packets                       records read (tshark: frames)
#   protocols.ipv4/ipv6/tcp/udp/icmp/icmpv6
#                                 layers decoded; tshark's frame.protocols
#                                 list counted the same way: every
#                                 occurrence (so 6in4 gives one ipv4 and one
#                                 ipv6 in both tools), stopping at the first
#                                 icmp/icmpv6 (the datagram quoted in an ICMP
#                                 error is not a layer of the packet, and
#                                 botlens, like Zeek, does not decode it)
#   flows.tcp, flows.udp          tshark -z conv,tcp / -z conv,udp lines
#   first, last                   earliest and latest timestamp, as epoch
#                                 seconds to the microsecond (catches
#                                 byte-order and nanosecond-format errors)
# tshark runs per frame, as botlens does: IPv4/IPv6 reassembly and TCP
# desegmentation off (botlens never reassembles).
#
# Every difference must be listed in tests/oracle-differences.tsv
#   file<TAB>field<TAB>botlens<TAB>tshark<TAB>reason
# with both values exactly as measured.  The script fails when a
# difference is not listed, when a listed one changes value or vanishes
# (the table must stay true), or when a row names no reason.
#
# Environment: BOTLENS (binary, default build/botlens), BOTLENS_DATA
# (default ../shared/data), TSHARK (default tshark).  VERBOSE=1 prints
# every check; UPDATE=1 prints the measured differences as table rows
# (with the listed reason when there is one) for review, and fails.
# Ends with "tshark_crosscheck: N passed, N failed, N skipped".
NAME=tshark_crosscheck
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BOTLENS=${BOTLENS:-build/botlens}
DATA=${BOTLENS_DATA:-$(dirname "$ROOT")/shared/data}
TSHARK=${TSHARK:-tshark}
TABLE=tests/oracle-differences.tsv
FIELDS="packets first last protocols.ipv4 protocols.ipv6 protocols.tcp protocols.udp protocols.icmp protocols.icmpv6 flows.tcp flows.udp"

skip_all() {
	echo "$NAME: skipped: $1"
	echo "$NAME: 0 passed, 0 failed, 1 skipped"
	exit 0
}
[ -d "$DATA/pcap/behavior" ] || skip_all "no test data at $DATA (set BOTLENS_DATA)"
command -v "$TSHARK" >/dev/null 2>&1 || skip_all "tshark not found"
command -v jq >/dev/null 2>&1 || skip_all "jq not found"
[ -x "$BOTLENS" ] || { echo "$NAME: no binary $BOTLENS (run make)"; echo "$NAME: 0 passed, 1 failed, 0 skipped"; exit 1; }
[ -f "$TABLE" ] || { echo "$NAME: missing $TABLE"; echo "$NAME: 0 passed, 1 failed, 0 skipped"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
TSHARK_PREFS="-n -o ip.defragment:FALSE -o ipv6.defragment:FALSE -o tcp.desegment_tcp_streams:FALSE"

# measure REL: writes "field value" lines for both tools to $tmp/b, $tmp/t.
# A tool that cannot read the file at all reports packets "unreadable" and
# nothing else; the other fields are then skipped.
measure() {
	f="$DATA/pcap/$1"
	: >"$tmp/b"
	: >"$tmp/t"
	"$BOTLENS" info -q --format json "$f" >"$tmp/bj" 2>"$tmp/be"
	if [ -s "$tmp/bj" ]; then
		jq -r '"packets \(.packets)",
		       (.protocols | "protocols.ipv4 \(.ipv4)", "protocols.ipv6 \(.ipv6)",
		        "protocols.tcp \(.tcp)", "protocols.udp \(.udp)", "protocols.icmp \(.icmp)",
		        "protocols.icmpv6 \(.icmpv6)"),
		       (.flows | "flows.tcp \(.tcp)", "flows.udp \(.udp)"),
		       (.first, .last | select(. != null) |
			(sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601 | tostring) + "." +
			capture("\\.(?<f>[0-9]+)Z$").f)' "$tmp/bj" |
			awk 'NR <= 9 { print; next } { print (NR == 10 ? "first " : "last ") $0 }' >"$tmp/b"
	else
		echo "packets unreadable" >"$tmp/b"
	fi
	# shellcheck disable=SC2086
	"$TSHARK" $TSHARK_PREFS -r "$f" -T fields -e frame.time_epoch -e frame.protocols >"$tmp/tp" 2>"$tmp/te"
	trc=$?
	if [ $trc -ne 0 ] && [ ! -s "$tmp/tp" ]; then
		echo "packets unreadable" >"$tmp/t"
		return
	fi
	cut -f1 "$tmp/tp" | sed 's/[0-9][0-9][0-9]$//' | LC_ALL=C sort -g >"$tmp/ts"
	awk -F'\t' '{
		n++
		k = split($2, l, ":")
		for (i = 1; i <= k; i++) {
			if (l[i] == "ip") v4++
			else if (l[i] == "ipv6") v6++
			else if (l[i] == "tcp") tcp++
			else if (l[i] == "udp") udp++
			else if (l[i] == "icmp") { icmp++; break }
			else if (l[i] == "icmpv6") { icmp6++; break }
		}
	} END {
		printf "packets %d\nprotocols.ipv4 %d\nprotocols.ipv6 %d\nprotocols.tcp %d\n", n, v4, v6, tcp
		printf "protocols.udp %d\nprotocols.icmp %d\nprotocols.icmpv6 %d\n", udp, icmp, icmp6
	}' "$tmp/tp" >"$tmp/t"
	if [ -s "$tmp/ts" ]; then
		echo "first $(head -n 1 "$tmp/ts")" >>"$tmp/t"
		echo "last $(tail -n 1 "$tmp/ts")" >>"$tmp/t"
	fi
	# shellcheck disable=SC2086
	"$TSHARK" $TSHARK_PREFS -r "$f" -q -z conv,tcp -z conv,udp >"$tmp/tc" 2>/dev/null
	awk '/^TCP Conversations/ { s = "tcp" } /^UDP Conversations/ { s = "udp" }
	     / <-> / { c[s]++ }
	     END { printf "flows.tcp %d\nflows.udp %d\n", c["tcp"], c["udp"] }' "$tmp/tc" >>"$tmp/t"
}

value() {  # value FILE FIELD
	awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print "" }' "$1"
}

# The table, without comments and blank lines; checked for shape first.
grep -v '^#' "$TABLE" | grep -v '^[[:space:]]*$' >"$tmp/table"
pass=0 fail=0 skip=0
bad=$(awk -F'\t' 'NF != 5 || $5 ~ /^[[:space:]]*$/ { print NR ": " $0 }' "$tmp/table")
if [ -n "$bad" ]; then
	echo "FAIL $TABLE: rows need 5 tab-separated columns and a reason:"
	echo "$bad"
	fail=$((fail + 1))
fi
: >"$tmp/seen"

# check FILE FIELD BOTLENS TSHARK: one comparison against the table.
check() {
	if [ -z "$3" ] || [ -z "$4" ]; then
		skip=$((skip + 1))
		[ -n "$VERBOSE" ] && echo "skip $1 $2: a tool could not read the file"
		return
	fi
	row=$(awk -F'\t' -v f="$1" -v k="$2" '$1 == f && $2 == k' "$tmp/table")
	[ -n "$row" ] && printf '%s\t%s\n' "$1" "$2" >>"$tmp/seen"
	if [ "$3" = "$4" ] && [ -z "$row" ]; then
		pass=$((pass + 1))
		[ -n "$VERBOSE" ] && echo "ok   $1 $2 $3"
		return
	fi
	if [ -n "$UPDATE" ] && [ "$3" != "$4" ]; then
		reason=$(printf '%s\n' "$row" | cut -f5)
		printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${reason:-TODO}" >>"$tmp/update"
	fi
	lb=$(printf '%s\n' "$row" | cut -f3)
	lt=$(printf '%s\n' "$row" | cut -f4)
	if [ -n "$row" ] && [ "$3" = "$lb" ] && [ "$4" = "$lt" ]; then
		pass=$((pass + 1))
		[ -n "$VERBOSE" ] && echo "ok   $1 $2 botlens $3 tshark $4 (listed)"
	elif [ -n "$row" ]; then
		fail=$((fail + 1))
		echo "FAIL $1 $2: botlens $3, tshark $4; listed as botlens $lb, tshark $lt"
	else
		fail=$((fail + 1))
		echo "FAIL $1 $2: botlens $3, tshark $4; not in $TABLE"
	fi
}

for rel in $(cd "$DATA/pcap" && find behavior malformed -type f | LC_ALL=C sort); do
	measure "$rel"
	for fld in $FIELDS; do
		check "$rel" "$fld" "$(value "$tmp/b" "$fld")" "$(value "$tmp/t" "$fld")"
	done
done

# pcapng-generator: every .pcapng (sections of either byte order, several
# interfaces, every block type) against tshark, record by record.
#   pcapng.packets  packet records (EPB, SPB, OPB); tshark also shows
#                   Custom Blocks as frames, which have no interface id
#                   and are not counted here
#   pcapng.records  the rows "epoch-seconds.microseconds wire-length";
#                   an SPB has no timestamp (0 in both tools); equal, or
#                   the first differing row from each tool
for rel in $(cd "$DATA/pcap" && find pcapng-generator -type f -name '*.pcapng' | LC_ALL=C sort); do
	f="$DATA/pcap/$rel"
	"$BOTLENS" packets -q --no-header --format json "$f" 2>/dev/null |
		jq -r '((.ts | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601 | tostring) + "." +
			(.ts | capture("\\.(?<f>[0-9]+)Z$").f) + " " + (.len | tostring))' >"$tmp/br"
	# shellcheck disable=SC2086
	"$TSHARK" $TSHARK_PREFS -r "$f" -T fields -e frame.interface_id -e frame.time_epoch \
		-e frame.len 2>/dev/null |
		awk -F'\t' '$1 != "" {
			t = $2
			if (t == "") t = "0.000000000"
			sub(/[0-9][0-9][0-9]$/, "", t)
			print t " " $3
		}' >"$tmp/tr"
	printf 'pcapng.packets %s\n' "$(wc -l <"$tmp/br" | tr -d ' ')" >"$tmp/b"
	printf 'pcapng.packets %s\n' "$(wc -l <"$tmp/tr" | tr -d ' ')" >"$tmp/t"
	if cmp -s "$tmp/br" "$tmp/tr"; then
		echo "pcapng.records equal" >>"$tmp/b"
		echo "pcapng.records equal" >>"$tmp/t"
	else
		n=$(cmp "$tmp/br" "$tmp/tr" 2>/dev/null | sed -n 's/.* line \([0-9]*\)$/\1/p')
		[ -n "$n" ] || n=$(($(wc -l <"$tmp/br") < $(wc -l <"$tmp/tr") ? $(wc -l <"$tmp/br") + 1 : $(wc -l <"$tmp/tr") + 1))
		echo "pcapng.records row$n:$(sed -n "${n}p" "$tmp/br" | tr ' ' '/')" >>"$tmp/b"
		echo "pcapng.records row$n:$(sed -n "${n}p" "$tmp/tr" | tr ' ' '/')" >>"$tmp/t"
	fi
	for fld in pcapng.packets pcapng.records; do
		check "$rel" "$fld" "$(value "$tmp/b" "$fld")" "$(value "$tmp/t" "$fld")"
	done
done

# A listed row that matched no measurement names a file or field that is gone.
stale=$(cut -f1,2 "$tmp/table" | LC_ALL=C sort | comm -23 - "$(LC_ALL=C sort "$tmp/seen" >"$tmp/seen.s"; echo "$tmp/seen.s")")
if [ -n "$stale" ]; then
	echo "FAIL rows of $TABLE that match no capture/field:"
	echo "$stale"
	fail=$((fail + 1))
fi
if [ -n "$UPDATE" ] && [ -f "$tmp/update" ]; then
	echo "# measured differences:"
	cat "$tmp/update"
	fail=$((fail + 1))
fi
echo "$NAME: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
