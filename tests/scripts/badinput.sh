# badinput.sh - bad input gets one clear line naming the file, a documented
# exit code, never a crash, and everything valid before damage is reported.
. "$(dirname "$0")/lib.sh"
# fontconfig's per-process cache (plots, HTML reports) is not a botlens leak (tests/lsan.supp);
# the suppression summary would add lines to the one-line error checks
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

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

# --- outputs: whole or not at all (issue 15) ---
no_temp_left() {  # no ".NAME.XXXXXX" temporary file is left in directory $1
	[ -z "$(find "$1" -maxdepth 1 -name '.*.??????' 2>/dev/null)" ]
}
{ pcap_header; pcap_udp_record; pcap_udp_record; } >"$TMP/in.pcap"
cp "$TMP/in.pcap" "$TMP/in.orig"
bl flows -o "$TMP/in.pcap" "$TMP/in.pcap"
check "output = input: exit 2" [ "$RC" -eq 2 ]
check "output = input: message" grep -q "^botlens: '$TMP/in.pcap' is both an input and the output$" "$TMP/err"
check "output = input: input untouched" cmp -s "$TMP/in.pcap" "$TMP/in.orig"
bl flows -r "$TMP/in.pcap" --output="$TMP/in.pcap"
check "output = input (-r, --output=): exit 2" [ "$RC" -eq 2 ]
check "output = input (-r, --output=): input untouched" cmp -s "$TMP/in.pcap" "$TMP/in.orig"

cp "$TMP/in.pcap" "$TMP/in.png"
bl plot -o "$TMP/in.png" "$TMP/in.png"
check "plot over its input: exit 2, input untouched" sh -c "[ $RC -eq 2 ] && cmp -s '$TMP/in.png' '$TMP/in.orig'"

bl flows -o /dev/full "$TMP/in.pcap"
check "/dev/full: exit 4" [ "$RC" -eq 4 ]
check "/dev/full: message" one_line_naming "cannot write '/dev/full': No space left on device"
bl report -q --format html -o /dev/full "$TMP/in.pcap"   # -q: no clock warning for a 1970 capture
check "html on /dev/full: exit 4" [ "$RC" -eq 4 ]
check "html on /dev/full: one real message" one_line_naming "cannot write '/dev/full': No space left on device"

mkdir "$TMP/outdir"
echo "old result" >"$TMP/outdir/keep.tsv"
bl flows -o "$TMP/outdir/keep.tsv" "$TMP/missing.pcap"
bl packets -o "$TMP/outdir/new.tsv" "$TMP/in.pcap"
check "output: written (exit 0)" [ "$RC" -eq 0 ]
check "output: complete file, no temporary left" sh -c "[ -s '$TMP/outdir/new.tsv' ] && [ -z \"\$(find '$TMP/outdir' -name '.*')\" ]"

# killed while writing (a FIFO with no writer keeps it waiting): no temporary file stays
mkdir "$TMP/killed"
mkfifo "$TMP/killed/fifo"
"$BOTLENS" flows -o "$TMP/killed/out.tsv" "$TMP/killed/fifo" 2>/dev/null &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid" 2>/dev/null
check "SIGTERM while writing: dies of the signal" [ $? -eq 143 ]
check "SIGTERM while writing: no partial or temporary file" sh -c "[ -z \"\$(ls -A '$TMP/killed' | grep -v '^fifo\$')\" ]"

# a full file system: a 16 KiB tmpfs (root only; skipped elsewhere)
mkdir "$TMP/full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=16k tmpfs "$TMP/full" 2>/dev/null; then
	{ pcap_header; i=0; while [ $i -lt 400 ]; do pcap_udp_record; i=$((i + 1)); done; } >"$TMP/many.pcap"
	echo "old result" >"$TMP/full/out.tsv"
	bl packets -o "$TMP/full/out.tsv" "$TMP/many.pcap"
	check "full disk: exit 4" [ "$RC" -eq 4 ]
	check "full disk: message" one_line_naming "cannot write '$TMP/full/out.tsv': No space left on device"
	check "full disk: the old file kept" grep -qx "old result" "$TMP/full/out.tsv"
	check "full disk: no partial file" no_temp_left "$TMP/full"
	bl packets -o "$TMP/full/new.tsv" "$TMP/many.pcap"
	check "full disk, new file: exit 4 and nothing left" sh -c "[ $RC -eq 4 ] && [ ! -e '$TMP/full/new.tsv' ]"
	for img in png svg pdf; do
		bl plot -o "$TMP/full/plot.$img" "$TMP/many.pcap"
		check "full disk, plot .$img: exit 4, message, nothing left" \
			sh -c "[ $RC -eq 4 ] && grep -q \"^botlens: cannot write '$TMP/full/plot.$img': No space left on device\$\" '$TMP/err' && [ ! -e '$TMP/full/plot.$img' ]"
		check "full disk, plot .$img: one line on stderr" [ "$(wc -l <"$TMP/err")" -eq 1 ]
	done
	bl synth --scenario storm-public -o "$TMP/full/synth.pcap"
	check "full disk, synth: exit 4 and no partial capture" sh -c "[ $RC -eq 4 ] && [ ! -e '$TMP/full/synth.pcap' ]"
	check "full disk: no temporary file left" no_temp_left "$TMP/full"
	umount "$TMP/full"
else
	skip "full tmpfs (needs root and mount)"
fi

# --- text files botlens reads: capped lines, checked counts (issue 15) ---
mkdir "$TMP/reports"
bl classify /dev/zero "$TMP/reports"
check "classify /dev/zero: exit 3" [ "$RC" -eq 3 ]
check "classify /dev/zero: message" grep -q "^botlens: cannot read model '/dev/zero': line 1 longer than 1 MiB$" "$TMP/err"
bl cluster --incremental /dev/zero "$TMP/reports"
check "cluster --incremental /dev/zero: exit 3" [ "$RC" -eq 3 ]
check "cluster --incremental /dev/zero: message" one_line_naming "cannot read state '/dev/zero': line 1 longer than 1 MiB"
bl botnet-size /dev/zero
check "botnet-size /dev/zero: exit 3" [ "$RC" -eq 3 ]
check "botnet-size /dev/zero: message" one_line_naming "'/dev/zero': line 1 longer than 1 MiB"
bl learn --labels /dev/zero "$TMP/reports"
check "learn --labels /dev/zero: exit 3" [ "$RC" -eq 3 ]
check "learn --labels /dev/zero: message" one_line_naming "cannot read labels '/dev/zero': line 1 longer than 1 MiB"
bl crawl -b @/dev/zero
check "crawl -b @/dev/zero: exit 3" [ "$RC" -eq 3 ]
check "crawl -b @/dev/zero: message" one_line_naming "'/dev/zero': line 1 longer than 126 bytes"

model_head='botlens-behavior-model 1\nembed n=2 level=1 weight=binary seed=0\nC 1\nthreshold none\n'
printf "${model_head}families 2\nfamily a\nfamily b\nbias 0 0\nidf-unseen 1\nfeatures 268000000\n" >"$TMP/crafted.model"
bl classify "$TMP/crafted.model" "$TMP/reports"
check "model declaring 268 M features: exit 3" [ "$RC" -eq 3 ]
check "model declaring 268 M features: message" grep -q "^botlens: cannot read model '$TMP/crafted.model': line 10: more features declared than the file holds$" "$TMP/err"
printf "${model_head}families 65536\n" >"$TMP/crafted.model"
bl classify "$TMP/crafted.model" "$TMP/reports"
check "model declaring 65536 families: exit 3 with the line" sh -c "[ $RC -eq 3 ] && grep -q 'line 5: more families declared' '$TMP/err'"
printf 'botlens-behavior-clusters 1\nembed n=2 level=1 weight=binary seed=0\ncluster dp=1 dc=1.2 linkage=complete min=3 next=1\nprototypes 16000000\n' >"$TMP/crafted.state"
cp "$TMP/crafted.state" "$TMP/crafted.orig"
bl cluster --incremental "$TMP/crafted.state" "$TMP/reports"
check "state declaring 16 M prototypes: exit 3" [ "$RC" -eq 3 ]
check "state declaring 16 M prototypes: message" one_line_naming "crafted.state': line 4: expected 'prototypes N'"
check "state declaring 16 M prototypes: state untouched" cmp -s "$TMP/crafted.state" "$TMP/crafted.orig"
printf '{"type":"crawl","crawl":4000000000,"start":0,"end":1}\n' >"$TMP/crafted.jsonl"
bl botnet-size "$TMP/crafted.jsonl"
check "snapshot with crawl index 4e9: exit 3" [ "$RC" -eq 3 ]
check "snapshot with crawl index 4e9: message" one_line_naming "line 1: crawl index out of range"
printf '{"type":"crawl","crawl":0,"start":0,"end":1}\n{"addr":"127.0.0.1","port":1,"crawl":0}\n' >"$TMP/ok.jsonl"
printf '{"type":"peer","peer":1e15,"addr":"127.0.0.1","port":1}\n' >"$TMP/crafted.truth"
bl botnet-size "$TMP/ok.jsonl" --truth "$TMP/crafted.truth"
check "truth with peer index 1e15: exit 3" [ "$RC" -eq 3 ]
check "truth with peer index 1e15: message" grep -q "line 1: peer index out of range" "$TMP/err"

# --- botnet-size --from-capture honours -o ---
bl botnet-size --from-capture "$TMP/in.pcap" -o "$TMP/peers.tsv"
check "botnet-size --from-capture -o: exit 0" [ "$RC" -eq 0 ]
check "botnet-size --from-capture -o: table in the file" grep -q '^bin_start' "$TMP/peers.tsv"
check "botnet-size --from-capture -o: nothing on stdout" [ ! -s "$TMP/out" ]

# --- a refused simulation leaves no truth file ---
sh -c "ulimit -n 64 && exec '$BOTLENS' p2p simulate --peers 1000 --duration 1 --truth '$TMP/truth.jsonl'" \
	>"$TMP/out" 2>"$TMP/err"
RC=$?
check "simulate beyond the descriptor limit: refused" [ "$RC" -ne 0 ]
check "simulate beyond the descriptor limit: message" grep -q "descriptors" "$TMP/err"
check "simulate beyond the descriptor limit: no truth file" [ ! -e "$TMP/truth.jsonl" ]

# --- file names that are not UTF-8 (Latin-1 "café"): U+FFFD in JSON/HTML/SVG, outputs complete ---
latin1="$TMP/caf$(printf '\351').pcap"
{ pcap_header; pcap_udp_record; pcap_udp_record; } >"$latin1"
json_has_fffd() {  # every line of $1 is JSON and some value holds "caf\ufffd.pcap"
	python3 -c 'import json, sys
lines = open(sys.argv[1], "rb").read().decode("utf-8").splitlines()
sys.exit(0 if any("caf\ufffd.pcap" in json.dumps(json.loads(l), ensure_ascii=False) for l in lines) else 1)' "$1"
}
utf8_ok() { python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" 2>/dev/null; }
if command -v python3 >/dev/null; then
	for fmt in json html; do
		bl report --format $fmt -o "$TMP/latin1.$fmt" "$latin1"
		check "non-UTF-8 name, report $fmt: exit 0" [ "$RC" -eq 0 ]
		check "non-UTF-8 name, report $fmt: valid UTF-8" utf8_ok "$TMP/latin1.$fmt"
	done
	check "non-UTF-8 name, HTML: &#xFFFD;" grep -q 'caf&#xFFFD;.pcap' "$TMP/latin1.html"
	bl info --format json "$latin1"
	checkc "non-UTF-8 name, info json: exit 0, 'caf\ufffd.pcap'" '[ $RC -eq 0 ] && json_has_fffd "$TMP/out"'
	bl hosts --format json "$latin1" "$TMP/in.pcap"
	checkc "non-UTF-8 name, hosts json lines: exit 0, 'caf\ufffd.pcap'" '[ $RC -eq 0 ] && json_has_fffd "$TMP/out"'
	for img in svg png pdf; do
		bl plot -o "$TMP/latin1.$img" "$latin1"
		check "non-UTF-8 name, plot .$img: exit 0, no error" sh -c "[ $RC -eq 0 ] && [ ! -s '$TMP/err' ] && [ -s '$TMP/latin1.$img' ]"
	done
	check "non-UTF-8 name, plot svg: valid UTF-8" utf8_ok "$TMP/latin1.svg"
	bl ports -o "$TMP/ports.svg" "$latin1"
	check "non-UTF-8 name, ports -o svg: exit 0" [ "$RC" -eq 0 ]
	bl compare -o "$TMP/cmp.svg" "$latin1" "$TMP/in.pcap"
	check "non-UTF-8 name, compare -o svg: exit 0" [ "$RC" -eq 0 ]
else
	skip "non-UTF-8 names (python3 checks the encoding)"
fi

report badinput
