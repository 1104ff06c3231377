# cli.sh - command-line manners: help, version, formats, several files,
# standard input, -r, gzip, filters, --host.
. "$(dirname "$0")/lib.sh"

{ pcap_header; pcap_udp_record; pcap_udp_record; } >"$TMP/a.pcap"
gzip -c "$TMP/a.pcap" >"$TMP/a.pcap.gz"
cp "$TMP/a.pcap" "$TMP/b.pcap"

bl --help
check "--help exit 0" [ "$RC" -eq 0 ]
check "--help on stdout with examples" grep -q "examples:" "$TMP/out"
bl flows -h
check "flows -h on stdout" grep -q "usage: botlens flows" "$TMP/out"
check "flows -h lists -f" grep -q -- "-f, --filter" "$TMP/out"
bl --version
check "--version" grep -qE '^botlens [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"

bl flows "$TMP/a.pcap"
check "flows tsv header" grep -q "^ts	rel	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto" "$TMP/out"
check "flows: one flow of 2 packets" [ "$(grep -c '10.0.0.1	1000	8.8.8.8	53	udp' "$TMP/out")" -eq 1 ]
bl flows --format json "$TMP/a.pcap"
check "json lines: no file field for one capture" sh -c "! grep -q '\"file\"' '$TMP/out'"
check "json lines: orig_pkts" grep -q '"orig_pkts":2' "$TMP/out"
bl flows --format csv --no-header "$TMP/a.pcap"
check "csv without header" sh -c "! grep -q '^ts,' '$TMP/out' && grep -q ',10.0.0.1,1000,8.8.8.8,53,udp,' '$TMP/out'"

bl flows --format json "$TMP/a.pcap" "$TMP/b.pcap"
check "several files: file field" [ "$(grep -c '"file":' "$TMP/out")" -eq 2 ]
bl packets "$TMP/a.pcap" "$TMP/b.pcap"
check "several files: file column" grep -q "^file	ts	" "$TMP/out"
bl info --format json "$TMP"
check "directory: both captures and the gzip one" [ "$(grep -c '"file":' "$TMP/out")" -eq 3 ]

"$BOTLENS" packets - <"$TMP/a.pcap.gz" >"$TMP/out" 2>"$TMP/err"
check "stdin gzip: 2 packets" [ "$(grep -c '	udp	' "$TMP/out")" -eq 2 ]
bl packets -r "$TMP/a.pcap"
check "-r FILE" [ "$(grep -c '	udp	' "$TMP/out")" -eq 2 ]
bl info --format json "$TMP/a.pcap.gz"
check "gzip detected" grep -q '"gzip":true' "$TMP/out"

bl packets -f 'tcp' "$TMP/a.pcap"
check "filter excludes" [ "$(wc -l <"$TMP/out")" -eq 1 ]
bl info --format json -f 'udp port 53' "$TMP/a.pcap"
check "filter matched count" grep -q '"packets_matched":2' "$TMP/out"

bl info --format json --host 8.8.8.8 "$TMP/a.pcap"
check "--host overrides the sandbox host" grep -q '"sandbox_hosts":\[{"address":"8.8.8.8"' "$TMP/out"
bl info --format json "$TMP/a.pcap"
check "sandbox host: internal originator" grep -q '"sandbox_hosts":\[{"address":"10.0.0.1"' "$TMP/out"
bl hosts --host 999.1.1.1 "$TMP/a.pcap"
check "bad --host: exit 2" [ "$RC" -eq 2 ]

bl packets --reader libpcap "$TMP/a.pcap.gz"
check "libpcap reader reads gzip" [ "$(grep -c '	udp	' "$TMP/out")" -eq 2 ]

bl flows "$TMP/a.pcap" -o "$TMP/after.tsv" --format csv
check "options after the file are read (as git, GNU)" grep -q ',10.0.0.1,1000,8.8.8.8,53,udp,' "$TMP/after.tsv"

# the directory walker (util/walk.c): links back to the directory are walked once, FIFOs skipped
mkdir -p "$TMP/loop/sub"
cp "$TMP/a.pcap" "$TMP/loop/sub/x.pcap"
ln -s . "$TMP/loop/a"
ln -s . "$TMP/loop/b"
ln -s .. "$TMP/loop/sub/up"
mkfifo "$TMP/loop/fifo"
bl info --format json "$TMP/loop"
checkc "symlink loops: the capture is analysed once, exit 0" '[ "$RC" -eq 0 ] && [ "$(grep -c "x.pcap" "$TMP/out")" -eq 1 ]'
checkc "symlink loops and FIFOs are warnings" '[ "$(grep -c "botlens: warning: .*already walked" "$TMP/err")" -eq 3 ] && grep -q "fifo.: not a regular file" "$TMP/err"'

# --- Zeek's conn.log (issue 17), read back by tests/scripts/zeek_cut.awk, not by botlens ---
ZCUT=tests/scripts/zeek_cut.awk
bl flows --format zeek "$TMP/a.pcap" "$TMP/b.pcap"
check "flows --format zeek: exit 0" [ "$RC" -eq 0 ]
check "zeek: header, types and #close valid, one row per flow" sh -c "[ \$(awk -f $ZCUT -v check=1 '$TMP/out') -eq 2 ]"
check "zeek: #path conn and Zeek's conn.log fields" sh -c "grep -q '^#path	conn\$' '$TMP/out' && grep -q '^#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents\$' '$TMP/out'"
check "zeek: epoch ts with microseconds, udp, 2 packets" sh -c "awk -f $ZCUT -v cols='ts proto orig_pkts service' '$TMP/out' | grep -Eq '^[0-9]+\\.[0-9]{6}	udp	2	-\$'"
check "zeek: uids C + base62, unique across the two captures" sh -c \
	"[ \$(awk -f $ZCUT -v cols=uid '$TMP/out' | grep -Ec '^C[0-9A-Za-z]{17}\$') -eq 2 ] && [ \$(awk -f $ZCUT -v cols=uid '$TMP/out' | sort -u | wc -l) -eq 2 ]"
bl flows --format zeek "$TMP/a.pcap"
cp "$TMP/out" "$TMP/z1"
bl flows --format zeek "$TMP/a.pcap"
check "zeek: a rerun gives the same uids" cmp -s "$TMP/out" "$TMP/z1"
bl flows --format zeek-json "$TMP/a.pcap"
check "zeek-json: Zeek's JSON form: epoch ts number, the same uid, unset fields left out" sh -c \
	"jq -e '(.ts|type==\"number\") and (.uid == \"'\$(awk -f $ZCUT -v cols=uid '$TMP/z1')'\") and (has(\"service\")|not) and .missed_bytes == 0 and .local_orig == true' '$TMP/out' >/dev/null"
bl hosts --format zeek "$TMP/a.pcap"
check "--format zeek outside flows: exit 2" [ "$RC" -eq 2 ]
bl flows --format zeek "$TMP/missing.pcap"
check "zeek: no header before an open error" sh -c "[ $RC -eq 3 ] && [ ! -s '$TMP/out' ]"
bl flows "$TMP/missing.pcap"
check "flows: no header before an open error" sh -c "[ $RC -eq 3 ] && [ ! -s '$TMP/out' ]"

# --- papercuts (issue 17) ---
bl report --host 10.9.9.9 "$TMP/a.pcap"
check "report --host absent from the capture: exit 2 naming addresses it has" sh -c \
	"[ $RC -eq 2 ] && grep -q 'host 10.9.9.9 does not appear' '$TMP/err' && grep -q '10.0.0.1' '$TMP/err'"
bl report -o "$TMP/x.pdf" "$TMP/a.pcap"
check "report -o x.pdf: refused with exit 2, nothing written" sh -c "[ $RC -eq 2 ] && [ ! -e '$TMP/x.pdf' ] && grep -q 'cannot write' '$TMP/err'"
bl flows --host 999.1.1.1 "$TMP/a.pcap"
check "flows --host 999.1.1.1: exit 2" [ "$RC" -eq 2 ]
bl flows --host 10.0.0.1 "$TMP/a.pcap"
check "flows --host ADDR: its flows" sh -c "[ $RC -eq 0 ] && [ \$(wc -l <'$TMP/out') -eq 2 ]"
bl flows --host 10.0.0.2 "$TMP/a.pcap"
check "flows --host ADDR: not another's flows" sh -c "[ $RC -eq 0 ] && [ \$(wc -l <'$TMP/out') -eq 1 ]"
bl help flows
check "botlens help flows: the flows help" sh -c "[ $RC -eq 0 ] && grep -q 'usage: botlens flows' '$TMP/out'"
bl help nosuch
check "botlens help nosuch: exit 2" [ "$RC" -eq 2 ]
bl info "$TMP/a.pcap"
check "info: a 1970 clock is warned about" sh -c "[ $RC -eq 0 ] && grep -q 'warning: .*clock was not set' '$TMP/err'"
bl report "$TMP/a.pcap"
check "report: a 1970 clock is warned about" grep -q 'warning: .*clock was not set' "$TMP/err"
bl info -q "$TMP/a.pcap"
check "info -q: no clock warning" sh -c "[ $RC -eq 0 ] && [ ! -s '$TMP/err' ]"

# --- -c N and tcpdump's trailing filter expression (issue 17) ---
bl packets -c 1 "$TMP/a.pcap"
check "-c 1: one packet" sh -c "[ $RC -eq 0 ] && [ \$(grep -c '	udp	' '$TMP/out') -eq 1 ]"
bl flows -c 1 --format json "$TMP/a.pcap" "$TMP/b.pcap"
check "-c 1: per capture (one flow of one packet each)" sh -c "[ $RC -eq 0 ] && [ \$(grep -c '\"orig_pkts\":1,' '$TMP/out') -eq 2 ]"
bl packets -c 0 "$TMP/a.pcap"
check "-c 0: exit 2" [ "$RC" -eq 2 ]
bl info --format json -c 1 -f tcp "$TMP/a.pcap"
check "-c counts packets that pass the filter (as tcpdump)" grep -q '"packets_matched":0' "$TMP/out"
bl packets -r "$TMP/a.pcap" udp port 53
check "-r FILE EXPR...: trailing words are the filter" sh -c "[ $RC -eq 0 ] && [ \$(grep -c '	udp	' '$TMP/out') -eq 2 ]"
bl packets -r "$TMP/a.pcap" tcp port 53
check "-r FILE EXPR...: the filter applies" sh -c "[ $RC -eq 0 ] && [ \$(wc -l <'$TMP/out') -eq 1 ]"
bl packets -r "$TMP/a.pcap" "$TMP/b.pcap" udp
check "-r FILE FILE2 EXPR: existing files before the words stay captures" sh -c "[ $RC -eq 0 ] && [ \$(grep -c '	udp	' '$TMP/out') -eq 4 ]"
bl info --format json -f 'port 53' -r "$TMP/a.pcap" tcp
check "-f and trailing words: both apply ((F) and (WORDS))" grep -q '"packets_matched":0' "$TMP/out"
bl packets -r "$TMP/a.pcap" "$TMP/nosuch.pcap"
check "-r FILE MISSING: a bad filter, exit 2 with the rule as hint" sh -c "[ $RC -eq 2 ] && grep -q 'not a file on are the filter' '$TMP/err'"
bl packets "$TMP/a.pcap" udp
check "without -r no trailing filter: 'udp' is a capture that cannot be opened" [ "$RC" -eq 3 ]

# --- bash completion, generated from the option tables (issue 17) ---
COMPL=scripts/botlens.bash-completion
sh scripts/gen-completion.sh "$BOTLENS" >"$TMP/compl"
check "completion: scripts/botlens.bash-completion is current (make completion)" cmp -s "$TMP/compl" "$COMPL"
check "completion: valid bash" bash -n "$COMPL"
every_cmd() {
	for c in $("$BOTLENS" --commands); do
		[ "$c" = p2p ] && c="p2p simulate"
		grep -q "^	\"$c\")" "$COMPL" || { echo "no $c"; return 1; }
	done
	[ "$("$BOTLENS" --commands | wc -l)" -ge 17 ]
}
check "completion: every subcommand of commands[] has its case" every_cmd
complete_words() {  # complete_words WORD... : what bash offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _botlens; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPL" "$@"
}
checkc "completion: 'botlens fl' -> flows" '[ "$(complete_words botlens fl)" = flows ]'
checkc "completion: 'botlens flows --fo' -> --format" '[ "$(complete_words botlens flows --fo)" = --format ]'
checkc "completion: 'botlens flows --format z' -> zeek, zeek-json" '[ "$(complete_words botlens flows --format z | tr "\n" " ")" = "zeek zeek-json " ]'
checkc "completion: 'botlens report --zeek' -> --zeek-logs, --zeek-logs-json (a command's own options)" '[ "$(complete_words botlens report --zeek | tr "\n" " ")" = "--zeek-logs --zeek-logs-json " ]'
checkc "completion: 'botlens p2p simulate --qu' -> --quiet" '[ "$(complete_words botlens p2p simulate --qu)" = --quiet ]'
checkc "completion: 'botlens packets -' offers -c and -r" 'complete_words botlens packets - | grep -qx -- -c && complete_words botlens packets - | grep -qx -- -r'

report cli
