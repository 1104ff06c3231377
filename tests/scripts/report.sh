#!/bin/sh
# report.sh - `botlens report`: the synthetic runs against their ground
# truth (behaviors within 5 s, role, backends among the top notable, no
# malicious claim on benign browsing; seeds 1 and 2), JSON/text/HTML
# outputs, usage errors, the expected findings on the real captures in
# ../shared/data/pcap/behavior (skipped when absent), the network-layer
# verdicts (ARP sweep, ICMP and DNS tunnels, DNS exfiltration, floods) and
# TLS C&C on the analyst-labelled captures in ../shared/data/pcap/real
# (skipped when absent) and the HTML page in headless Chromium (skipped
# when chromium is absent).
. "$(dirname "$0")/lib.sh"

TRUTH=tests/scripts/report_truth.py
jq_true() { jq -e "$1" "$2" >/dev/null; }

# --- synthetic runs: ground truth ---
for seed in 1 2; do
	for spec in storm-private:worker:cnc_proxy storm-public:relay,server:backend benign-browsing:client:; do
		name=${spec%%:*} rest=${spec#*:}
		roles=${rest%%:*} backend=${rest#*:}
		"$BOTLENS" synth --scenario "$name" --seed $seed -o "$TMP/$name.pcap" >/dev/null 2>&1
		bl report --format json -o "$TMP/$name.json" "$TMP/$name.pcap"
		check "report $name seed $seed exits 0" [ "$RC" -eq 0 ]
		check "report $name seed $seed matches the ground truth" \
			python3 "$TRUTH" "$TMP/$name.json" "$TMP/$name.pcap.truth.json" "$roles" "$backend"
	done
done

# --- formats and options ---
bl report "$TMP/storm-private.pcap"
check "text: role line" grep -q '^  role: worker' "$TMP/out"
check "text: phases with time_sync first" sh -c "grep -A1 '^  phases:' '$TMP/out' | grep -q time_sync"
check "text: notable endpoints with AS" grep -q 'AS[0-9]' "$TMP/out"
bl report --no-geo --format json "$TMP/storm-public.pcap"
check "json: schema keys" jq_true '.file and (.hosts[0] | .address and .role and (.behaviors|type=="array") and (.notable[0] | has("asn") and has("org") and has("country") and has("score") and has("reason")) and (.protocols|type=="object"))' "$TMP/out"
check "json: --no-geo leaves asn null" jq_true '.hosts[0].notable[0].asn == null' "$TMP/out"
gw=$(jq -r '.hosts[0].notable[] | select(.range != null) | .address' "$TMP/storm-private.json" | head -1)
bl report --host "$gw" --format json "$TMP/storm-private.pcap"
check "--host selects the host (the gateway)" jq_true ".hosts | length == 1 and .[0].address == \"$gw\"" "$TMP/out"
check "--host: selected requested, explained null" jq_true '.explained == null and .hosts[0].selected == "requested"' "$TMP/out"
bl report --no-geo --format json "$TMP/storm-private.pcap"
check "json: explained counts the sandbox hosts and suspects of hosts[]" jq_true \
	'.explained.sandbox == ([.hosts[] | select(.selected == "sandbox")] | length) and .explained.sandbox >= 1 and .explained.sandbox + .explained.suspect == (.hosts | length)' "$TMP/out"
bl report --no-geo "$TMP/storm-private.pcap"
check "text: header says hosts explained (sandbox, suspect), each host why" sh -c \
	"head -1 '$TMP/out' | grep -Eq ': [0-9.]+ s, [0-9]+ hosts? explained \\([0-9]+ sandbox, [0-9]+ suspect\\)\$' && grep -Eq '^host [0-9.]+ \\(sandbox\\)\$' '$TMP/out'"
# --- one JSON convention (doc/json.md) ---
bl report --no-geo --format json "$TMP/storm-private.pcap"
check "json: one line per capture by default (JSON lines)" sh -c "[ \$(wc -l <'$TMP/out') -eq 1 ] && jq -e .hosts '$TMP/out' >/dev/null"
check "json: start (ISO 8601) and start_epoch" jq_true '(.start | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$")) and (.start_epoch | type == "number")' "$TMP/out"
check "json: no float noise (at most 6 decimals in any number)" sh -c "! grep -Eq '[:,\\[][-]?[0-9]+\\.[0-9]{7,}' '$TMP/out'"
cp "$TMP/out" "$TMP/plain.json"
bl report --no-geo --format json --pretty "$TMP/storm-private.pcap"
check "json --pretty: indented, the same document" sh -c "[ \$(wc -l <'$TMP/out') -gt 10 ] && [ \"\$(jq -cS . '$TMP/out')\" = \"\$(jq -cS . '$TMP/plain.json')\" ]"

# --- STIX 2.1 and indicator CSV (issue 17) ---
bl report --no-geo --format stix -o "$TMP/s1.json" "$TMP/storm-private.pcap"
check "stix: exits 0" [ "$RC" -eq 0 ]
check "stix: valid STIX 2.1 bundle with malware, indicators, relationships" \
	python3 tests/scripts/stix_check.py "$TMP/s1.json" --expect-malware
bl report --no-geo --format stix -o "$TMP/s2.json" "$TMP/storm-private.pcap"
check "stix: deterministic ids and bytes across runs" cmp -s "$TMP/s1.json" "$TMP/s2.json"
bl report --no-geo --format stix "$TMP/storm-private.pcap" "$TMP/benign-browsing.pcap"
check "stix: several captures give one valid bundle per line" sh -c \
	"[ \$(wc -l <'$TMP/out') -eq 2 ] && python3 tests/scripts/stix_check.py '$TMP/out'"
check "stix: benign browsing has no malware object" sh -c \
	"tail -1 '$TMP/out' | jq -e '[.objects[] | select(.type==\"malware\")] | length == 0' >/dev/null"
if [ -f "$DATA/pcap/real/njrat__njrat.pcap" ]; then
	bl report --no-geo --format stix "$DATA/pcap/real/njrat__njrat.pcap"
	check "stix: njRAT's C&C server is infrastructure the malware uses" sh -c \
		"python3 tests/scripts/stix_check.py '$TMP/out' --expect-malware && jq -e '[.objects[] | select(.type==\"infrastructure\" and .name==\"C&C server 3.68.56.232\")] | length == 1' '$TMP/out' >/dev/null && jq -e '[.objects[] | select(.type==\"relationship\" and .relationship_type==\"uses\")] | length >= 1' '$TMP/out' >/dev/null"
else
	skip "stix on njrat: no real captures"
fi
bl report --no-geo --format csv-ioc "$TMP/storm-private.pcap" "$TMP/storm-public.pcap"
csv_ioc_ok() {  # one header line, then 6 fields per row with an ISO first_seen (python's csv reader)
	[ "$(grep -c '^type,value,behavior,first_seen,host,file$' "$1")" -eq 1 ] && [ "$(wc -l <"$1")" -gt 2 ] &&
		python3 -c 'import csv, re, sys
r = list(csv.reader(open(sys.argv[1])))
sys.exit(not all(len(x) == 6 and re.match(r"\d{4}-\d\d-\d\dT.*Z$", x[3]) for x in r[1:]))' "$1"
}
check "csv-ioc: one header, then type,value,behavior,first_seen,host,file rows" csv_ioc_ok "$TMP/out"
bl report --format pdf "$TMP/storm-private.pcap"
check "unknown report format: exit 2" [ "$RC" -eq 2 ]

# --- Zeek logs (issue 17), read back by tests/scripts/zeek_cut.awk ---
ZCUT=tests/scripts/zeek_cut.awk
bl report --no-geo --format json --zeek-logs "$TMP/zeek" "$TMP/storm-private.pcap"
check "--zeek-logs: exit 0, conn.log and notice.log valid by their #types" sh -c \
	"[ $RC -eq 0 ] && awk -f $ZCUT -v check=1 '$TMP/zeek/conn.log' >/dev/null && awk -f $ZCUT -v check=1 '$TMP/zeek/notice.log' >/dev/null"
"$BOTLENS" flows --format zeek "$TMP/storm-private.pcap" >"$TMP/zflows.log"
check "--zeek-logs: conn.log has flows' uids, one row per flow" sh -c \
	"awk -f $ZCUT -v cols=uid '$TMP/zeek/conn.log' | sort >'$TMP/u1' && awk -f $ZCUT -v cols=uid '$TMP/zflows.log' | sort >'$TMP/u2' && cmp -s '$TMP/u1' '$TMP/u2' && [ -s '$TMP/u1' ]"
check "--zeek-logs: service from protocol recognition (dns, smtp)" sh -c \
	"awk -f $ZCUT -v cols=service '$TMP/zeek/conn.log' | sort -u | grep -qx dns && awk -f $ZCUT -v cols=service '$TMP/zeek/conn.log' | sort -u | grep -qx smtp"
check "--zeek-logs: a notice per behavior, note Botlens::KIND" sh -c \
	"[ \$(awk -f $ZCUT -v check=1 '$TMP/zeek/notice.log') -eq \$(jq '[.hosts[].behaviors[]] | length' '$TMP/out') ] && awk -f $ZCUT -v cols=note '$TMP/zeek/notice.log' | grep -qx 'Botlens::spam'"
for log in dns http ssl smtp files; do
	check "--zeek-logs: $log.log valid by its #types (#path $log)" sh -c \
		"awk -f $ZCUT -v check=1 '$TMP/zeek/$log.log' >/dev/null && grep -q '^#path	$log\$' '$TMP/zeek/$log.log'"
done
zcut() { awk -f $ZCUT -v cols="$2" "$TMP/zeek/$1.log"; }
# every uid of the transaction logs is a connection of conn.log
zeek_join() {
	zcut conn uid | sort -u >"$TMP/conn.uids"
	for log in dns http ssl smtp files; do
		zcut $log uid | sort -u >"$TMP/$log.uids"
		[ -s "$TMP/$log.uids" ] || [ $log = ssl ] || return 1
		[ -z "$(comm -23 "$TMP/$log.uids" "$TMP/conn.uids")" ] || return 1
	done
}
check "--zeek-logs: dns, http, smtp, files rows; every uid joins conn.log" zeek_join
dns_conns() {  # the connections of dns.log rows are the ones conn.log calls dns
	awk -f $ZCUT -v cols='uid service' "$TMP/zeek/conn.log" >"$TMP/conn.svc"
	awk -F'\t' 'NR == FNR { if ($2 == "dns") d[$1] = 1; next } !($1 in d) { bad = 1 } END { exit bad }' \
		"$TMP/conn.svc" "$TMP/dns.uids"
}
check "--zeek-logs: dns.log rows are conn.log's dns connections" dns_conns
check "--zeek-logs: dns.log query and answers (Storm's lookups)" sh -c \
	"awk -f $ZCUT -v cols='query answers' '$TMP/zeek/dns.log' | grep -Eq '^www\.google\.com	[0-9.]+\$'"
check "--zeek-logs: smtp.log helo, mailfrom, rcptto, subject of the spam" sh -c \
	"awk -f $ZCUT -v cols='helo mailfrom rcptto subject' '$TMP/zeek/smtp.log' | grep -Eq '^[^-	]+	<[^>]+@[^>]+>	<[^>]+>	[^-]'"
check "--zeek-logs: http.log host, uri, user_agent; the download's resp_fuids in files.log" sh -c \
	"awk -f $ZCUT -v cols='host uri user_agent' '$TMP/zeek/http.log' | grep -q '	/ecard.exe	Mozilla' && \
	 fu=\$(awk -f $ZCUT -v cols='uri resp_fuids' '$TMP/zeek/http.log' | awk -F'\t' '\$1 == \"/ecard.exe\" { print \$2 }') && \
	 [ -n \"\$fu\" ] && [ \"\$fu\" != - ] && awk -f $ZCUT -v cols='fuid source' '$TMP/zeek/files.log' | grep -qx \"\$fu	HTTP\""
bl report --no-geo --zeek-logs "$TMP/zeekb" -o "$TMP/b.json" "$TMP/benign-browsing.pcap"
check "--zeek-logs: ssl.log server_name, subject, ja3; certificates in files.log with their SHA-1" sh -c \
	"[ $RC -eq 0 ] && awk -f $ZCUT -v check=1 '$TMP/zeekb/ssl.log' >/dev/null && awk -f $ZCUT -v cols='server_name subject ja3' '$TMP/zeekb/ssl.log' | grep -Eq '^www\.[a-z.]+	CN=[^	]+	[0-9a-f]{32}\$' && \
	 awk -f $ZCUT -v cols='source mime_type sha1' '$TMP/zeekb/files.log' | grep -Eq '^SSL	application/x-x509-user-cert	[0-9a-f]{40}\$'"
check "--zeek-logs: http.log trans_depth counts a connection's requests" sh -c \
	"awk -f $ZCUT -v cols='trans_depth' '$TMP/zeekb/http.log' | grep -qx 4"

# --zeek-logs-json: the same logs in Zeek's JSON form, row for row (zeek_json_check.py)
bl report --no-geo --format json --zeek-logs-json "$TMP/zeekj" "$TMP/storm-private.pcap"
check "--zeek-logs-json: exit 0, every log JSON lines saying what the ASCII form says (storm)" sh -c \
	"[ $RC -eq 0 ] && python3 tests/scripts/zeek_json_check.py '$TMP/zeek' '$TMP/zeekj'"
check "--zeek-logs-json: ts an epoch number, unset fields left out, answers an array" sh -c \
	"jq -e 'select(.query == \"www.google.com\") | (.ts | type == \"number\") and (.answers | type == \"array\") and (has(\"rcode_name\") or true)' '$TMP/zeekj/dns.log' | grep -q true && \
	 ! grep -q '\"-\"' '$TMP/zeekj/conn.log' && ! grep -q '^#' '$TMP/zeekj/conn.log'"
bl report --no-geo --zeek-logs-json "$TMP/zeekbj" -o "$TMP/bj.json" "$TMP/benign-browsing.pcap"
check "--zeek-logs-json: ssl.log and the certificates in files.log as the ASCII form (browsing)" sh -c \
	"[ $RC -eq 0 ] && python3 tests/scripts/zeek_json_check.py '$TMP/zeekb' '$TMP/zeekbj' && [ -s '$TMP/zeekbj/ssl.log' ]"
bl report --no-geo --zeek-logs "$TMP/zx" --zeek-logs-json "$TMP/zy" "$TMP/storm-private.pcap"
check "--zeek-logs with --zeek-logs-json: a usage error (one form at a time)" [ "$RC" -eq 2 ]

bl report -o "$TMP/r.html" "$TMP/storm-public.pcap"
check "html: written, self-contained, with an inline SVG plot" sh -c \
	"grep -q '<svg' '$TMP/r.html' && ! grep -Eqi '(src|href)=\"(https?:)?//' '$TMP/r.html' && ! grep -qi '<script' '$TMP/r.html'"
bl report -o "$TMP/two.html" "$TMP/storm-private.pcap" "$TMP/storm-public.pcap"
check "html: a plot per run's sandbox host at least, no element id shared" sh -c \
	"[ \$(grep -c '<svg' '$TMP/two.html') -ge 2 ] && [ -z \"\$(grep -o 'id=\\\"[^\\\"]*\\\"' '$TMP/two.html' | sort | uniq -d)\" ]"
html_toc_ok() {  # every contents link points at an element id of the page
	grep -o 'href="#[^"]*"' "$1" | sed 's/href="#//; s/"$//' | sort -u >"$TMP/links"
	[ -s "$TMP/links" ] && while read -r id; do grep -q "id=\"$id\"" "$1" || return 1; done <"$TMP/links"
}
check "html: <title> names the captures" grep -q '<title>botlens report: storm-private.pcap, storm-public.pcap</title>' "$TMP/two.html"
check "html: contents for several captures, linking to each host" sh -c "grep -q '<nav><h2>Contents</h2>' '$TMP/two.html'"
check "html: contents links resolve" html_toc_ok "$TMP/two.html"
check "html: one capture: its name in <title>, contents only for several hosts" sh -c \
	"grep -q '<title>botlens report: storm-public.pcap</title>' '$TMP/r.html' && { [ \$(grep -c '<section>' '$TMP/r.html') -gt 1 ] && grep -q '<nav>' '$TMP/r.html' || ! grep -q '<nav>' '$TMP/r.html'; }"
bl report --no-geo -o "$TMP/one.html" "$TMP/benign-browsing.pcap"
check "html: one capture with one host: no contents box" sh -c "[ \$(grep -c '<section>' '$TMP/one.html') -eq 1 ] && ! grep -q '<nav>' '$TMP/one.html'"
check "html: phase bars with a time axis" sh -c "grep -q 'class=\"tlb axis\"' '$TMP/r.html' && [ \$(grep -o 'class=\"tick\"' '$TMP/r.html' | wc -l) -ge 2 ]"
check "html: the verdict comes before the phases and the plot" sh -c \
	"awk '/class=\"verdict/ && !v {v=NR} /<h3>Phases/ && !p {p=NR} END {exit !(v && p && v < p)}' '$TMP/r.html'"
bl report --format yaml "$TMP/storm-public.pcap"
check "unknown format is exit 2" [ "$RC" -eq 2 ]
bl report --geo-db "$TMP/nonexistent.db" "$TMP/storm-public.pcap"
check "missing --geo-db is exit 3" [ "$RC" -eq 3 ]
bl report --host not-an-address "$TMP/storm-public.pcap"
check "bad --host is exit 2" [ "$RC" -eq 2 ]
bl report "$TMP/nonexistent.pcap"
check "missing capture is exit 3" [ "$RC" -eq 3 ]

# --- real captures: expected findings ---
B=$DATA/pcap/behavior
# kinds FILE JQ-CONDITION DESCRIPTION
expect() {
	if [ ! -f "$B/$1" ]; then
		skip "$1 absent ($B)"
		return
	fi
	bl report -q --no-geo --format json "$B/$1"
	check "$1: $3" jq_true "[.hosts[].behaviors[]] as \$b | $2" "$TMP/out"
}
if [ -d "$B" ]; then
	expect sality.pcap 'any($b[]; .kind == "p2p")' "p2p"
	expect kelihos.pcap 'any($b[]; .kind == "p2p" and .transport == "tcp" and .port == 80)' "p2p over TCP 80"
	expect test7-malicious.pcap 'any($b[]; .kind == "p2p") and any($b[]; .kind == "scan")' "p2p and scan"
	expect botnet_irc_bot.pcap 'any($b[]; .kind == "irc_cnc" and (.commands | test("download")))' "irc_cnc with its commands"
	expect botnet_irc_bot.pcap 'any($b[]; .kind == "irc_cnc" and .nick == "fhhhs")' \
		"irc_cnc names the nick from the JOIN echo (no NICK in the capture)"
	expect smtp-data-rejected__10.7.29.101_49898-178.63.41.150_25.pcap \
		'any($b[]; .kind == "spam" and (.helo | length > 0))' "spam with the HELO name"
	expect pkt.TCP.synflood.spoofed.pcap 'any($b[]; .kind == "flood" and .spoofing == "yes" and .role == "target")' \
		"flood with spoofing, the host its target"
	expect backscatter.trace 'any($b[]; .kind == "flood" and .role == "target" and (.type | test("backscatter")))' \
		"the victim of a spoofed SYN flood, seen through its backscatter"
	expect ndpi__bittorrent.pcap 'any($b[]; .kind == "p2p" and .protocol == "bittorrent" and .malicious == false)' \
		"a BitTorrent swarm is p2p, not malicious by itself"
	expect synscan.pcapng 'any($b[]; .kind == "scan")' "scan"
	expect test12-icmp-portscan.pcap 'any($b[]; .kind == "scan")' "scan"
	expect test-cc-capture-2.pcap 'any($b[]; .kind == "cnc_beacon" and .gap >= 2 and .gap <= 3 and .period <= 3.5)' \
		"cnc_beacon every 2-3 s"
	expect eternalblue-success-unpatched-win7.pcap 'any($b[]; .kind == "exploit" or .kind == "smb_propagation")' "exploit"
	expect doublepulsar-backdoor-connect-win7.pcap 'any($b[]; .kind == "exploit" or .kind == "smb_propagation")' "exploit"
	expect attack-trace.pcap_.gz 'any($b[]; .kind == "exploit") and any($b[]; .kind == "download")' "exploit and download"
	expect attack-trace.pcap_.gz 'any($b[]; .kind == "download" and .side == "served") and any($b[]; .kind == "download" and .side == "fetched")' \
		"the FTP server's side of the download is served, the client's fetched"
	bl report -q --no-geo --format json "$B/evilprogram.pcap"
	check "evilprogram.pcap: the web server that only served the executable is a server, not a client" jq_true \
		'any(.hosts[]; .role == "server" and any(.behaviors[]; .kind == "download" and .side == "served"))' "$TMP/out"
	bl report -q --no-geo --format json "$B/attack-trace.pcap_.gz"
	check "attack-trace: the attacker that also served the payload stays a worker" jq_true \
		'any(.hosts[]; .role == "worker" and any(.behaviors[]; .kind == "exploit" and .role == "attacker"))' "$TMP/out"
	expect ndpi__dns-tunnel-iodine.pcap 'any($b[]; .kind == "tunnel")' "tunnel"
	expect dump.pcap '[$b[] | select(.malicious)] | length == 0' "nothing malicious claimed"
	expect malicious-ssh-bruteforce.pcap 'any($b[]; .kind == "bruteforce" and .service == "SSH" and .past_kex >= 40)' \
		"SSH password guessing on a port not SSH's, attempts past the key exchange"
	if [ -f "$B/malicious-ssh-bruteforce.pcap" ]; then
		bl report -q --no-geo --no-dpi --format json "$B/malicious-ssh-bruteforce.pcap"
		check "malicious-ssh-bruteforce.pcap --no-dpi: SSH from its identification strings, the guessing found, libssh2 cited" \
			jq_true 'any(.hosts[].behaviors[]; .kind == "bruteforce" and .service == "SSH" and (.client_software | startswith("libssh2")))' "$TMP/out"
	fi
else
	skip "real-capture findings: $B absent"
fi

# --- real captures with an analyst's ground truth: network-layer verdicts ---
# (--host: independent of which hosts the report picks by itself)
RL=$DATA/pcap/real
# hexpect FILE HOST JQ-CONDITION DESCRIPTION
hexpect() {
	if [ ! -f "$RL/$1" ]; then
		skip "$1 absent ($RL)"
		return
	fi
	bl report -q --no-geo --format json --host "$2" "$RL/$1"
	check "$1 $2: $4" jq_true "[.hosts[].behaviors[]] as \$b | $3" "$TMP/out"
}
if [ -d "$RL" ]; then
	hexpect slips__test8-malicious.pcap 192.168.1.247 \
		'any($b[]; .kind == "scan" and .type == "arp sweep" and .targets >= 200 and .network == "192.168.1.0/24")' \
		"ARP sweep of its /24"
	bl report -q --no-geo --format json "$RL/slips__test8-malicious.pcap"
	check "slips__test8-malicious.pcap: the ARP sweeper is reported without --host" \
		jq_true 'any(.hosts[]; .address == "192.168.1.247" and any(.behaviors[]; .kind == "scan"))' "$TMP/out"
	for h in 192.168.154.131 192.168.154.132; do
		hexpect ndpi__icmp-tunnel.pcap $h \
			'any($b[]; .kind == "tunnel" and .malicious and (.evidence | test("inside ICMP echo")) and .inner_packets >= 100)' \
			"tunnel: IP packets inside ICMP echoes"
	done
	hexpect ndpi__dns_exfiltration.pcap 192.168.220.56 \
		'any($b[]; .kind == "tunnel" and .type == "dns" and .queries >= 20 and .name_bytes > 0)' "DNS tunnel (dnscat2)"
	hexpect malcolm__log4j-dns_exfil.pcap 172.16.238.10 \
		'any($b[]; .kind == "dns") and any($b[]; .kind == "exfiltration" and .channel == "dns" and .name == "1qaz2wsx")' \
		"dns, and exfiltration of a one-label TXT name straight to a non-resolver"
	hexpect suricata-verify__denial6-5.pcap 2001:db8:1::2 \
		'any($b[]; .kind == "flood" and .target == "2001:db8:1::1" and .packets >= 30000 and .rate >= 1000)' \
		"flood (ICMPv6 echo + AH)"
	hexpect suricata-verify__denial6-6.pcap 2001:db8:1::2 \
		'any($b[]; .kind == "flood" and .target == "2001:db8:1::1" and .packets >= 30000)' "flood (HbH + fragments)"
	hexpect stopddos__amp.UDP.bacnet.IOT.37810.pcapng 10.10.10.1 \
		'any($b[]; .kind == "flood" and .spoofing == "yes")' "reflected flood seen at the victim"
	hexpect chrissanders__http_espn.pcapng 172.16.0.122 \
		'any($b[]; .kind == "dns") and ([$b[] | select(.kind == "tunnel" or .kind == "exfiltration")] | length == 0)' \
		"public resolver: dns, no tunnel or exfiltration"
	for f in chrissanders__http_espn.pcapng ndpi__reddit.pcap suricata-verify__http-aptget-ids-02-s2.pcap; do
		[ -f "$RL/$f" ] || continue
		bad=
		for h in $("$BOTLENS" hosts --no-header "$RL/$f" | cut -f1); do
			bl report -q --no-geo --format json --host "$h" "$RL/$f"
			jq -e '[.hosts[].behaviors[] | select(.kind == "tunnel" or .kind == "exfiltration" or .kind == "flood" or .kind == "scan")] | length == 0' \
				"$TMP/out" >/dev/null || bad="$bad $h"
		done
		check "$f: no tunnel, exfiltration, flood or scan for any of its hosts${bad:+ (claimed for$bad)}" [ -z "$bad" ]
	done
else
	skip "network-layer verdicts on real captures: $RL absent"
fi
# --- TLS C&C on real captures: a Meterpreter session upgraded to TLS, and benign browsing ---
R=$DATA/pcap/real
# tls_hosts FILE JQ - true when the report of the sandbox host(s) or of one of
# their notable endpoints (--host) has behaviors $b satisfying JQ: the TLS
# client of a bind shell is the host that accepted the connection, which the
# sandbox-host choice may not pick.
tls_hosts() {
	bl report -q --no-geo --format json "$R/$1"
	cp "$TMP/out" "$TMP/first.json"
	jq_true "[.hosts[].behaviors[]] as \$b | $2" "$TMP/first.json" && return 0
	for a in $(jq -r '.hosts[].notable[].address' "$TMP/first.json"); do
		bl report -q --no-geo --format json --host "$a" "$R/$1"
		jq_true "[.hosts[].behaviors[]] as \$b | $2" "$TMP/out" && return 0
	done
	return 1
}
tls_expect() {
	if [ ! -f "$R/$1" ]; then
		skip "$1 absent ($R)"
		return
	fi
	if [ "$3" = none ]; then
		if tls_hosts "$1" 'any($b[]; .kind == "cnc_beacon")'; then ok=1; else ok=0; fi
		check "$1: no cnc_beacon for the host or its notable endpoints" [ "$ok" -eq 0 ]
	else
		if tls_hosts "$1" "$2"; then ok=1; else ok=0; fi
		check "$1: $3" [ "$ok" -eq 1 ]
	fi
}
tls_expect malcolm__metasploit-ms017-010-win7x64.pcap \
	'any($b[]; .kind == "cnc_beacon" and (.evidence | test("self-signed")) and .port == 4444)' \
	"cnc_beacon for the TLS client of the bind session, self-signed certificate"
tls_expect malcolm__eternalromance-doublepulsar-meterpreter.pcap \
	'any($b[]; .kind == "cnc_beacon" and (.evidence | test("self-signed")) and (.subject | test("^CN=")))' \
	"cnc_beacon over TLS to the reverse handler, self-signed certificate"
for f in chrissanders__http_espn.pcapng ndpi__reddit.pcap suricata-verify__http-aptget-ids-02-s2.pcap; do
	tls_expect "$f" '' none
done

# --- real captures with an analyst's ground truth: HTTP verdicts (libhtp) ---
# expect_real FILE HOST-OR-- JQ-CONDITION DESCRIPTION
expect_real() {
	if [ ! -f "$R/$1" ]; then
		skip "$1 absent ($R)"
		return
	fi
	if [ "$2" = - ]; then
		bl report -q --no-geo --format json "$R/$1"
	else
		bl report -q --no-geo --host "$2" --format json "$R/$1"
	fi
	check "$1: $4" jq_true "[.hosts[].behaviors[]] as \$b | $3" "$TMP/out"
}
if [ -d "$R" ]; then
	expect_real malcolm__log4j-user_agent.pcap - 'any($b[]; .kind == "exploit" and (.lookup | test("jndi")))' \
		"exploit (Log4Shell in User-Agent)"
	expect_real caldera__manx-tcp.pcap 172.18.0.3 'any($b[]; .kind == "download" and .type == "elf")' \
		"download (an ELF over HTTP on 8888)"
	expect_real markofu__suspicious-time.pcap 10.0.3.15 \
		'any($b[]; .kind == "exploit" and (.technique | test("exploit-kit"))) and any($b[]; .kind == "download" and .type == "pe")' \
		"exploit-kit chain (landing, then a PE) and the download"
	expect_real elcabezzonn__capture-Tue-11-29-16-12-26-16_rig.pcap 192.168.1.46 \
		'any($b[]; .kind == "download" and .content_type == "application/x-msdownload")' "download by content type"
	expect_real elcabezzonn__capture-Mon-02-13-17-17-15-34_Empire.pcap 192.168.1.46 \
		'any($b[]; .kind == "exfiltration" and .bytes >= 65536)' "exfiltration: a large POST to a bare-IP server"
	for benign in chrissanders__http_espn.pcapng ndpi__reddit.pcap suricata-verify__http-aptget-ids-02-s2.pcap; do
		expect_real $benign - 'all($b[]; .kind != "download" and .kind != "exploit" and .kind != "exfiltration")' \
			"benign: no download, exploit or exfiltration"
	done
else
	skip "real-capture HTTP verdicts: $R absent"
fi

# --- the HTML page in headless Chromium ---
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	skip "headless Chromium: chromium is not installed"
else
	prof=$(mktemp -d)
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
		--disable-component-update --disable-sync --user-data-dir="$prof" --enable-logging=stderr --v=0 \
		--window-size=1200,1400 --screenshot="$TMP/shot.png" "file://$TMP/r.html" >"$TMP/chrome.log" 2>&1
	check "chromium renders the page" [ -s "$TMP/shot.png" ]
	check "no console errors" sh -c "! grep -q 'CONSOLE' '$TMP/chrome.log'"
	check "screenshot is not blank" python3 tests/scripts/png_nonblank.py "$TMP/shot.png"
	rm -rf "$prof"
fi

# exfiltration: an FTP session that logs in and stores a file (one hand-made packet)
{ pcap_header
  printf '\001\000\000\000\000\000\000\000\127\000\000\000\127\000\000\000'
  printf '\000\001\002\003\004\005\000\006\007\010\011\012\010\000'
  printf '\105\000\000\111\000\001\000\000\100\006\000\000\012\000\000\005\306\063\144\007'
  printf '\303\120\000\025\000\000\000\001\000\000\000\001\120\030\040\000\000\000\000\000'
  printf 'USER bob\r\nPASS x\r\nSTOR loot.zip\r\n'; } >"$TMP/ftp-stor.pcap"
bl report --format json "$TMP/ftp-stor.pcap"
checkc "exfiltration: FTP STOR after USER, with account and file" \
	'[ "$RC" -eq 0 ] && grep -q "\"kind\":\"exfiltration\"" "$TMP/out" && grep -q "\"accounts\":\"bob\"" "$TMP/out" && grep -q "\"files\":\"loot.zip\"" "$TMP/out"'
{ pcap_header
  printf '\001\000\000\000\000\000\000\000\127\000\000\000\127\000\000\000'
  printf '\000\001\002\003\004\005\000\006\007\010\011\012\010\000'
  printf '\105\000\000\111\000\001\000\000\100\006\000\000\012\000\000\005\306\063\144\007'
  printf '\303\120\000\025\000\000\000\001\000\000\000\001\120\030\040\000\000\000\000\000'
  printf 'USER bob\r\nPASS x\r\nRETR loot.zip\r\n'; } >"$TMP/ftp-retr.pcap"
bl report --format json "$TMP/ftp-retr.pcap"
checkc "no exfiltration for a download (RETR)" '[ "$RC" -eq 0 ] && ! grep -q "exfiltration" "$TMP/out"'

# flood whatever the protocol: an answered ICMP echo flood (the per-port rule wants no answers)
python3 tests/scripts/flood_pcap.py "$TMP/echo-flood.pcap" echo
bl report --no-geo --format json --host 10.0.0.5 "$TMP/echo-flood.pcap"
check "flood: an answered echo flood at 1,500/s is a flood (per source and target)" \
	jq_true 'any(.hosts[].behaviors[]; .kind == "flood" and .target == "10.0.0.9" and .packets == 3000 and .rate >= 1000)' "$TMP/out"
python3 tests/scripts/flood_pcap.py "$TMP/spray-flood.pcap" spray
bl report --no-geo --format json --host 10.0.0.9 "$TMP/spray-flood.pcap"
check "flood: a spoofed flood sprayed over random ports is seen at the victim" \
	jq_true 'any(.hosts[].behaviors[]; .kind == "flood" and .type == "inbound" and .sources == 400 and .packets == 4000)' "$TMP/out"
# HTTP: a credential form POSTed to a bare IP is exfiltration; the same form to a named host is not
http_post_pcap() {  # OUT HOST
	python3 - "$1" "$2" <<'PY'
import struct, sys
out, host = sys.argv[1], sys.argv[2]
body = b"user=bob&pass=x"
http = (b"POST /login HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
tcp = struct.pack(">HHIIBBHHH", 50000, 80, 1, 1, 0x50, 0x18, 8192, 0, 0)
ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(http), 1, 0, 64, 6, 0,
                 bytes([10, 0, 0, 5]), bytes([198, 51, 100, 7]))
frame = b"\x00\x01\x02\x03\x04\x05\x00\x06\x07\x08\x09\x0a\x08\x00" + ip + tcp + http
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 1, 0, len(frame), len(frame)) + frame)
PY
}
http_post_pcap "$TMP/post-ip.pcap" 198.51.100.7
bl report --format json "$TMP/post-ip.pcap"
checkc "exfiltration: a credential form POSTed to a bare IP, with the request" \
	'[ "$RC" -eq 0 ] && jq -e "[.hosts[].behaviors[] | select(.kind == \"exfiltration\")] | length == 1 and (.[0].requests | test(\"POST /login\"))" "$TMP/out" >/dev/null'
http_post_pcap "$TMP/post-named.pcap" login.example
bl report --format json "$TMP/post-named.pcap"
checkc "no exfiltration for a credential form to a named host" '[ "$RC" -eq 0 ] && ! grep -q "exfiltration" "$TMP/out"'

report report
