#!/bin/sh
# fuzz/run.sh - builds and runs each fuzz harness for a bounded time.
#
#   FUZZ_SECONDS=60 sh fuzz/run.sh      (default 60 s per harness)
#
# The harnesses of the small text formats (model, cluster state, labels,
# crawl snapshot, truth file) run FUZZ_TEXT_SECONDS each (default 20 s):
# their parsers are a few hundred lines each.
#
# Seeds: captures from ../shared/data/pcap (when present) and a few
# files made here; fuzz_decode seeds are cut from the same captures by
# seed_decode.  Saved reproducers in fuzz/regress/<harness>/ are replayed
# first (each must run clean).  Crashes land in build-fuzz/artifacts/.
# Prints "fuzz: N passed, N failed" and exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."

SECS=${FUZZ_SECONDS:-60}
TEXT_SECS=${FUZZ_TEXT_SECONDS:-20}
OUT=build-fuzz
DATA=${BOTLENS_DATA:-../shared/data}
[ -d "$DATA" ] || DATA=/work/shared/data

sh fuzz/build.sh || { echo "fuzz: 0 passed, 1 failed"; exit 1; }

seeds_reader=$OUT/seeds/reader
seeds_decode=$OUT/seeds/decode
seeds_overnet=$OUT/seeds/overnet
seeds_report=$OUT/seeds/report
seeds_tls=$OUT/seeds/tls
seeds_http=$OUT/seeds/http
seeds_protos=$OUT/seeds/protos
mkdir -p "$seeds_report" "$OUT/corpus/report" "$seeds_tls" "$OUT/corpus/tls" "$seeds_protos" "$OUT/corpus/protos"
mkdir -p "$seeds_http" "$OUT/corpus/http"
mkdir -p "$seeds_reader" "$seeds_decode" "$seeds_overnet" "$OUT/corpus/reader" "$OUT/corpus/decode" \
	"$OUT/corpus/overnet" "$OUT/artifacts"

# Hand-made reader seeds: minimal pcap (LE, one Ethernet/IPv4/UDP record),
# pcap-ns big-endian header, minimal pcapng (SHB + IDB + EPB).
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000' > "$seeds_reader/pcap-le"
printf '\001\000\000\000\000\000\000\000\052\000\000\000\052\000\000\000' >> "$seeds_reader/pcap-le"
printf '\000\001\002\003\004\005\006\007\010\011\012\013\010\000' >> "$seeds_reader/pcap-le"
printf '\105\000\000\034\000\001\000\000\100\021\000\000\012\000\000\001\012\000\000\002' >> "$seeds_reader/pcap-le"
printf '\023\210\000\065\000\010\000\000' >> "$seeds_reader/pcap-le"
printf '\241\262\074\115\000\002\000\004\000\000\000\000\000\000\000\000\000\000\377\377\000\000\000\145' > "$seeds_reader/pcap-ns-be"
printf '\012\015\015\012\034\000\000\000\115\074\053\032\001\000\000\000\377\377\377\377\377\377\377\377\034\000\000\000' > "$seeds_reader/pcapng"
printf '\001\000\000\000\040\000\000\000\001\000\000\000\377\377\000\000\011\000\001\000\011\000\000\000\000\000\000\000\040\000\000\000' >> "$seeds_reader/pcapng"
printf '\006\000\000\000\044\000\000\000\000\000\000\000\000\000\000\000\001\000\000\000\004\000\000\000\004\000\000\000\336\255\276\357\044\000\000\000' >> "$seeds_reader/pcapng"

# Captures from the shared data, small ones only (the reader harness
# takes at most 1 MiB per input).
caps=""
for dir in "$DATA/pcap/malformed" "$DATA/pcap/pcapng-generator" "$DATA/pcap/behavior"; do
	[ -d "$dir" ] || continue
	for f in "$dir"/*; do
		case "$f" in *.txt) continue ;; esac
		[ -f "$f" ] || continue
		size=$(wc -c < "$f")
		[ "$size" -le 262144 ] || continue
		cp "$f" "$seeds_reader/$(basename "$f")"
		caps="$caps $f"
	done
done
if [ -z "$caps" ]; then
	echo "fuzz: no shared captures under $DATA; using the hand-made seeds only"
fi
"$OUT/seed_decode" "$seeds_decode" "$seeds_reader"/* $caps >/dev/null
# decode seeds by hand too: Ethernet/IPv4/TCP SYN and raw IPv6/UDP
printf '\000\001\000\066\000\001\002\003\004\005\006\007\010\011\012\013\010\000\105\000\000\050\000\001\100\000\100\006\000\000\012\000\000\001\135\270\330\042\300\000\000\120\000\000\000\001\000\000\000\000\120\002\377\377\000\000\000\000' > "$seeds_decode/eth-tcp"
printf '\007\001\000\060\140\000\000\000\000\010\021\100\040\001\015\270\000\000\000\000\000\000\000\000\000\000\000\001\040\001\015\270\000\000\000\000\000\000\000\000\000\000\000\002\023\210\015\330\000\010\000\000' > "$seeds_decode/raw6-udp"

# Overnet seeds (byte 0 even = plain): GetMyIP for port 4662 (overnet.txt's
# "int8: 54 int8: 18"), PublicizeAck, Connect, a ConnectReply with one peer.
printf '\000\343\033\066\022' > "$seeds_overnet/getmyip"
printf '\000\343\015' > "$seeds_overnet/publicize-ack"
printf '\000\343\012\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\177\000\000\001\066\022\000' > "$seeds_overnet/connect"
printf '\000\343\013\001\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\177\000\000\001\066\022\000' > "$seeds_overnet/connect-reply"

# Report seeds (byte 0 = parser: 0 auto, 1 Cuckoo, 2 MIST, 3 text, 4 CSV; +8 level 2):
# small hand-made reports, plus the real ones in shared/data when present.
printf '\011{"behavior":{"processes":[{"calls":[{"api":"NtOpenFile","category":"file","arguments":{"FileName":"C:\\\\x"}}]}]}}' > "$seeds_report/cuckoo"
printf '\012# process 1\n01 02 | 0 1 "a" 2\n02 05 | 3\n' > "$seeds_report/mist"
printf '\013open_file c:\\x\nconnect 1.2.3.4 80\n' > "$seeds_report/text"
printf '\014hash,t_0,t_1,malware\nab,NtOpenFile,NtClose,1\n' > "$seeds_report/csv"
for f in "$DATA"/reports/*.mist "$DATA"/reports/0000*.json; do
	[ -f "$f" ] || continue
	[ "$(wc -c <"$f")" -lt 1048000 ] || continue
	{ printf '\010'; cat "$f"; } > "$seeds_report/$(basename "$f")"
done

# TLS seed (fuzz_tls.c's segment format): a bind-shell session, the responder's
# ClientHello without SNI, then the server's flight in two segments with a
# self-signed certificate made by the openssl command (skipped when absent).
printf '\001\006\000\026\003\003\000\001\001' > "$seeds_tls/truncated-hello"
if command -v openssl >/dev/null && command -v python3 >/dev/null &&
   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	-subj "/CN=fuzzseed/O=botlens" -days 30 -outform DER -out "$OUT/seed-cert.der" 2>/dev/null; then
	python3 - "$OUT/seed-cert.der" > "$seeds_tls/bind-selfsigned" <<'PY'
import struct, sys
der = open(sys.argv[1], 'rb').read()
def hs(t, body): return bytes([t]) + len(body).to_bytes(3, 'big') + body
def rec(frag): return b'\x16\x03\x03' + struct.pack('>H', len(frag)) + frag
def seg(d, data): return bytes([d]) + struct.pack('<H', len(data)) + data
ext = b'\x1a\x1a\x00\x00' + b'\x00\x0a\x00\x06\x00\x04\x00\x17\x00\x18' + b'\x00\x0b\x00\x02\x01\x00'
ch = b'\x03\x03' + b'\x09' * 32 + b'\x00\x00\x04\xc0\x2f\x00\x2f\x01\x00' + struct.pack('>H', len(ext)) + ext
sh = b'\x03\x03' + b'\x05' * 32 + b'\x00\xc0\x2f\x00\x00\x05\xff\x01\x00\x01\x00'
cert = (len(der) + 3).to_bytes(3, 'big') + len(der).to_bytes(3, 'big') + der
flight = rec(hs(2, sh)) + rec(hs(11, cert) + hs(14, b''))
cut = len(flight) // 2
sys.stdout.buffer.write(seg(1, rec(hs(1, ch))) + seg(0, flight[:cut]) + seg(0, flight[cut:]))
PY
fi

# Text format seeds: a small model, a cluster state, a labels file, two crawls, a truth file
for t in model cstate labels snapshot truth store; do mkdir -p "$OUT/seeds/$t" "$OUT/corpus/$t"; done
printf 'botlens-behavior-model 1\nembed n=2 level=1 weight=binary seed=0\nC 1\nthreshold -0.25\nfamilies 2\nfamily a\nfamily b\nbias 0.5 -0.5\nidf-unseen 1\nfeatures 2\n0000000000000001 1 0.25 -0.25\topen a\n0000000000000002 1.5 -1 1\nend\n' > "$OUT/seeds/model/small"
printf 'botlens-behavior-clusters 1\nembed n=2 level=1 weight=binary seed=0\ncluster dp=0.65 dc=0.95 linkage=complete min=3 next=2\nprototypes 2\n0 2 0000000000000001:0.7071 0000000000000002:0.7071\n1 1 0000000000000003:1\npending 1\n-1 0000000000000004:1\nend\n' > "$OUT/seeds/cstate/small"
printf '# name family\n0a1b\tALLAPLE\n0a1c.json\tVIRUT\n0a1b\tALLAPLE2\n' > "$OUT/seeds/labels/small"
# fuzz_store: byte 0 even = a flows TSV, odd = an outcome.json
{ printf '\000'; printf '1207044001.767417\t0.063323\t17\t192.168.1.2\t1181\t192.168.1.1\t53\t1\t1\t32\t48\tdns\tSF\n'; } > "$OUT/seeds/store/flows"
printf '\001{"results":[{"name":"report.json"}],"family":"storm","score":1.5,"kinds":"spam p2p","hosts":1,"terms":[{"kind":"addr","value":"10.0.0.1"}]}' > "$OUT/seeds/store/outcome"
printf '{"type":"crawl","crawl":0,"start":0,"end":10}\n{"addr":"127.77.0.1","port":4662,"crawl":0,"responsive":true,"probes":[1.5],"id":"00112233445566778899aabbccddeeff"}\n{"type":"crawl","crawl":1,"start":20,"end":30}\n{"addr":"127.77.0.2","port":4662,"crawl":1,"responsive":false}\n' > "$OUT/seeds/snapshot/two-crawls"
printf '{"type":"peer","peer":0,"addr":"127.77.0.1","port":4662,"nat":false,"sybil":false}\n{"type":"peer","peer":1,"addr":"127.77.0.2","port":4662,"nat":true,"sybil":false}\n{"type":"up","t":0.5,"peer":0,"id":"00112233445566778899aabbccddeeff"}\n{"type":"down","t":25,"peer":0}\n{"type":"end","t":30}\n' > "$OUT/seeds/truth/small"

pass=0
fail=0
# Protocol seeds (fuzz_protos.c: transport, ports, then len(2 LE) flags(1) payload
# segments): an HTTP exchange on 8080, a DNS query, an SMTP session, a raw
# stream with a PE header, an SSH key exchange on 2222 (KEXINIT, NEWKEYS, then
# encrypted bytes), an ICMP echo carrying an IPv4 header.
seg() { printf "\\$(printf %03o $(( $1 % 256 )))\\$(printf %03o $(( $1 / 256 )))\\$(printf %03o "$2")"; }
{ printf '\000\234\100\037\220'; seg 45 0; printf 'GET /a.exe HTTP/1.1\r\nHost: 1.2.3.4:8080\r\n\r\n'
  seg 40 1; printf 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nMZ\220\000'; } > "$seeds_protos/http"
{ printf '\001\300\001\000\065'; seg 29 0; printf '\022\064\001\000\000\001\000\000\000\000\000\000\001a\007example\003com\000\000\001\000\001'; } > "$seeds_protos/dns"
{ printf '\000\300\002\000\031'; seg 20 1; printf '220 mx.example ESMTP\r\n'; seg 16 0; printf 'HELO bot.local\r\n'
  seg 25 0; printf 'MAIL FROM:<a@b.example>\r\n'; seg 6 0; printf 'DATA\r\n'; } > "$seeds_protos/smtp"
{ printf '\000\200\000\021\134'; seg 72 1; printf 'MZ'; head -c 58 /dev/zero; printf '\100\000\000\000'; head -c 4 /dev/zero; printf 'PE\000\000'; } > "$seeds_protos/stage"
{ printf '\000\234\100\010\256'; seg 21 1; printf 'SSH-2.0-OpenSSH_9.6\r\n'; seg 12 0; printf 'SSH-2.0-Go\r\n'
  seg 40 0; printf '\000\000\000\014\004\024'; head -c 10 /dev/zero; printf '\000\000\000\014\012\025'; head -c 10 /dev/zero
  printf '\252\252\252\252\252\252\252\252'; } > "$seeds_protos/ssh"
{ printf '\002\000\010\000\000'; seg 28 0; printf '\105\000\000\034\000\001\000\000\100\001\000\000\012\000\000\001\012\000\000\002\010\000\000\000\000\000\000\000'; } > "$seeds_protos/icmp"

# HTTP seeds (fuzz_http.c's format: flags, 2-byte length, bytes per segment)
http_seg() {  # DIRFLAGS TEXT
	n=$(printf '%s' "$2" | wc -c)
	printf "\\$(printf %03o "$1")\\$(printf %03o $((n >> 8)))\\$(printf %03o $((n & 255)))"
	printf '%s' "$2"
}
crlf=$(printf '\r\n_')
crlf=${crlf%_}
{ http_seg 0 "GET /a.exe HTTP/1.1${crlf}Host: 10.0.0.1:8080${crlf}User-Agent: \${jndi:ldap://x/a}${crlf}${crlf}"
  http_seg 1 "HTTP/1.1 200 OK${crlf}Content-Type: application/octet-stream${crlf}Transfer-Encoding: chunked${crlf}${crlf}4${crlf}MZ..${crlf}0${crlf}${crlf}"
  http_seg 0 "POST /u HTTP/1.1${crlf}Host: h${crlf}Content-Type: application/x-www-form-urlencoded${crlf}Content-Length: 13${crlf}${crlf}user=a&pass=b"
  http_seg 1 "HTTP/1.1 302 Found${crlf}Location: http://x/${crlf}Content-Length: 0${crlf}${crlf}"; } > "$seeds_http/keepalive"

# fuzz_protos (fuzz_protos.c's format): TCP 40000 -> 80, a request, then its response
{ printf '\000\234\100\000\120'
  req="GET / HTTP/1.1${crlf}Host: h${crlf}${crlf}" res="HTTP/1.1 200 OK${crlf}Content-Length: 2${crlf}${crlf}MZ"
  printf "\\$(printf %03o $(printf '%s' "$req" | wc -c))\\000\\000"; printf '%s' "$req"
  printf "\\$(printf %03o $(printf '%s' "$res" | wc -c))\\000\\001"; printf '%s' "$res"; } > "$seeds_protos/http-keepalive"

# nDPI seeds (2-byte length, IPv4 packet; several per flow): a DNS query to
# 8.8.4.4, and a TCP segment to port 443 with the start of a ClientHello.
seeds_dpi=$OUT/seeds/dpi
mkdir -p "$seeds_dpi" "$OUT/corpus/dpi"
printf '\000\071\105\000\000\071\000\000\000\000\100\021\000\000\300\250\001\012\010\010\004\004\234\100\000\065\000\045\000\000\022\064\001\000\000\001\000\000\000\000\000\000\007example\003com\000\000\001\000\001' > "$seeds_dpi/dns"
printf '\000\056\105\000\000\056\000\000\000\000\100\006\000\000\300\250\001\012\010\010\004\004\234\101\001\273\000\000\000\001\000\000\000\001\120\030\000\377\000\000\000\000\026\003\001\000\100\001' > "$seeds_dpi/tls"

for h in fuzz_decode fuzz_reader fuzz_overnet fuzz_report fuzz_tls fuzz_http fuzz_protos fuzz_dpi \
	fuzz_model fuzz_cstate fuzz_labels fuzz_snapshot fuzz_truth fuzz_store; do
	name=${h#fuzz_}
	secs=$SECS
	case $name in model | cstate | labels | snapshot | truth | store) secs=$TEXT_SECS ;; esac
	# replay saved reproducers
	if [ -d "fuzz/regress/$name" ] && [ -n "$(ls "fuzz/regress/$name" 2>/dev/null)" ]; then
		if "$OUT/$h" -runs=1 "fuzz/regress/$name"/* > "$OUT/$h.regress.log" 2>&1; then
			pass=$((pass + 1))
			echo "fuzz: $h regressions: ok"
		else
			fail=$((fail + 1))
			echo "fuzz: $h regressions: FAILED (see $OUT/$h.regress.log)"
			grep -m 3 -E 'ERROR|runtime error' "$OUT/$h.regress.log"
		fi
	fi
	echo "fuzz: running $h for ${secs}s"
	if "$OUT/$h" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=1048576 \
		-print_final_stats=1 -artifact_prefix="$OUT/artifacts/$name-" \
		"$OUT/corpus/$name" "$OUT/seeds/$name" > "$OUT/$h.log" 2>&1; then
		pass=$((pass + 1))
		echo "fuzz: $h: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/$h.log" | grep -o '[0-9]*$') runs)"
	else
		fail=$((fail + 1))
		echo "fuzz: $h: FAILED (see $OUT/$h.log)"
		grep -m 3 -E 'ERROR|runtime error|Test unit written' "$OUT/$h.log"
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
