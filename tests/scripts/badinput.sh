# badinput.sh - bad input gets one clear line naming the file, a documented
# exit code, never a crash, and everything valid before damage is reported.
. "$(dirname "$0")/lib.sh"

one_line_naming() {  # stderr is exactly one "botlens: " line that names $1
	[ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "^botlens: .*$1" "$TMP/err"
}

bl info "$TMP/missing.pcap"
check "missing file: exit 3" [ "$RC" -eq 3 ]
check "missing file: message" grep -q "^botlens: cannot open '$TMP/missing.pcap': No such file or directory$" "$TMP/err"

mkdir "$TMP/emptydir"
echo hello >"$TMP/emptydir/notes.txt"
bl flows "$TMP/emptydir"
check "dir without captures: exit 3" [ "$RC" -eq 3 ]
check "dir without captures: message" one_line_naming "emptydir"

echo "this is not a capture" >"$TMP/text.pcap"
bl info "$TMP/text.pcap"
check "not a capture: exit 3" [ "$RC" -eq 3 ]
check "not a capture: message" one_line_naming "text.pcap"

: >"$TMP/empty.pcap"
bl hosts "$TMP/empty.pcap"
check "empty file: exit 3" [ "$RC" -eq 3 ]
check "empty file: message" one_line_naming "empty.pcap"

pcap_header >"$TMP/header.pcap"
bl info --format json "$TMP/header.pcap"
check "header only: exit 0" [ "$RC" -eq 0 ]
check "header only: 0 packets" grep -q '"packets":0' "$TMP/out"

{ pcap_header 9999; pcap_udp_record; } >"$TMP/lt.pcap"
bl info --format json "$TMP/lt.pcap"
check "unknown link type: exit 1" [ "$RC" -eq 1 ]
check "unknown link type: message" one_line_naming "lt.pcap.*unsupported link type"
check "unknown link type: counted" grep -q '"decode.link.unsupported":1' "$TMP/out"

{ pcap_header; pcap_udp_record; pcap_udp_record
  printf '\001\000\000\000\000\000\000\000\377\377\377\177\377\377\377\177'; pcap_udp_record; } >"$TMP/giant.pcap"
bl flows --format json "$TMP/giant.pcap"
check "gigantic record: exit 1" [ "$RC" -eq 1 ]
check "gigantic record: message with offset" one_line_naming "giant.pcap.*offset 140.*record length 2147483647"
check "gigantic record: earlier packets reported" grep -q '"orig_pkts":2' "$TMP/out"

{ pcap_header; pcap_udp_record; pcap_udp_record; } | head -c 110 >"$TMP/cut.pcap"
bl info --format json "$TMP/cut.pcap"
check "cut file: exit 1" [ "$RC" -eq 1 ]
check "cut file: message" one_line_naming "cut.pcap.*offset 82.*ends inside a record"
check "cut file: first packet kept" grep -q '"packets":1' "$TMP/out"

# gzip: the records inflated before the damage are kept, exit 1 with the offset
{ pcap_header; i=0; while [ $i -lt 3000 ]; do pcap_udp_record; i=$((i + 1)); done; } | gzip -c >"$TMP/ok.pcap.gz"
gz_size=$(wc -c <"$TMP/ok.pcap.gz")
head -c $((gz_size / 2)) "$TMP/ok.pcap.gz" >"$TMP/cut.pcap.gz"
bl info --format json "$TMP/cut.pcap.gz"
check "cut gzip: exit 1" [ "$RC" -eq 1 ]
check "cut gzip: message with offset" one_line_naming "cut.pcap.gz' is damaged at uncompressed offset [0-9]*: gzip stream cut short"
checkc "cut gzip: records before the cut kept" '[ "$(grep -o "\"packets\":[0-9]*" "$TMP/out" | cut -d: -f2)" -gt 1000 ]'
cp "$TMP/ok.pcap.gz" "$TMP/crc.pcap.gz"
printf '\377\377\377\377' | dd of="$TMP/crc.pcap.gz" bs=1 seek=$((gz_size - 8)) conv=notrunc 2>/dev/null
bl info --format json "$TMP/crc.pcap.gz"
check "corrupt gzip (bad CRC): exit 1" [ "$RC" -eq 1 ]
check "corrupt gzip: message" one_line_naming "crc.pcap.gz' is damaged at uncompressed offset 174024: incorrect data check"
check "corrupt gzip: every record kept" grep -q '"packets":3000' "$TMP/out"
{ pcap_header; pcap_udp_record; } | gzip -c | head -c 40 >"$TMP/tiny.pcap.gz"
bl info "$TMP/tiny.pcap.gz"
check "gzip cut after the file header: exit 1" [ "$RC" -eq 1 ]
check "gzip cut after the file header: message" one_line_naming "tiny.pcap.gz' is damaged at uncompressed offset 24"

bl flows -f 'udp and and' "$TMP/header.pcap"
check "bad filter: exit 2" [ "$RC" -eq 2 ]
check "bad filter: message" grep -q "^botlens: invalid filter 'udp and and'" "$TMP/err"

bl flows --format xml "$TMP/header.pcap"
check "bad format: exit 2" [ "$RC" -eq 2 ]

bl flows -o /nonexistent/dir/out.tsv "$TMP/header.pcap"
check "unwritable output: exit 4" [ "$RC" -eq 4 ]
check "unwritable output: message" grep -q "^botlens: cannot open '/nonexistent/dir/out.tsv'" "$TMP/err"

for cmd in info packets flows hosts; do
	bl $cmd
	check "$cmd without a capture: exit 2, one error and a hint" \
		sh -c "[ $RC -eq 2 ] && grep -q '^botlens: no capture given$' '$TMP/err'"
done

bl nosuchcmd
check "unknown subcommand: exit 2" [ "$RC" -eq 2 ]

report badinput
