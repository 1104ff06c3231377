#!/bin/sh
# detect.sh - detectors on hand-made captures (tests/scripts/det_pcap.py),
# no shared data needed, each with a positive and a negative case: Storm's
# key from a few long-lived peers (the per-flow datagram sampler); DGA
# lookups (random and word-list) against ordinary browsing with CDN names
# and names that join words; password guessing
# (SSH by shape and by its key exchange on any port, FTP 530, HTTP 401;
# attacker and victim) against ordinary logins and an SSH version scan;
# one address used by two machines (MAC change, TTL families), reported
# as two hosts each with its own behaviors, against a bridge that shows
# one machine twice; a flood's victim seen
# through its backscatter against an ordinary busy server; a BitTorrent
# swarm (p2p, not malicious) against a single BitTorrent peer.
. "$(dirname "$0")/lib.sh"
jq_true() { jq -e "$1" "$2" >/dev/null; }
if ! command -v python3 >/dev/null || ! command -v jq >/dev/null; then
	skip "python3 or jq absent: no hand-made captures"
	report detect
	exit $?
fi
gen() { python3 tests/scripts/det_pcap.py "$TMP/$1.pcap" "$1"; }

# --- keyed P2P with three long-lived peers: samples spread over each flow ---
gen storm3
gen udp3
bl report -q --no-geo --format json "$TMP/storm3.pcap"
check "storm3: Overnet under Storm's XOR key recognised with 3 long-lived peers" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "p2p" and .protocol == "overnet (storm xor)" and .peers == 3)' "$TMP/out"
"$BOTLENS" botnet-size --from-capture "$TMP/storm3.pcap" --xor-key auto >/dev/null 2>"$TMP/err"
check "storm3: botnet-size recovers the key from the same sampler" grep -q 'Storm XOR key recovered' "$TMP/err"
gen late3
bl report -q --no-geo --format json "$TMP/late3.pcap"
check "late3: UDP flows opened by keep-alives of no protocol are recognised from later datagrams" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "p2p" and .protocol == "overnet" and .peers == 3)' "$TMP/out"
bl report -q --no-geo --format json "$TMP/udp3.pcap"
check "udp3: fixed-format datagrams with 3 peers make no key (nothing past the header fits)" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "p2p")] | length == 0' "$TMP/out"
"$BOTLENS" botnet-size --from-capture "$TMP/udp3.pcap" --xor-key auto >/dev/null 2>"$TMP/err"
check "udp3: botnet-size finds no key either" grep -q 'no Storm XOR key' "$TMP/err"

# --- dga: machine-made names under many registered domains, mostly NXDOMAIN ---
gen dga
gen browse
bl report -q --no-geo --format json "$TMP/dga.pcap"
check "dga: a burst of random names answered NXDOMAIN is dga, with examples and counts" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "dga" and .nxdomain >= 30 and .domains >= 30 and .entropy > 3 and (.examples | test("\\.(com|net|org|info|biz|ru)")))' "$TMP/out"
check "dga: the verdict is malicious" jq_true '.hosts[0].malicious' "$TMP/out"
check "dga: the machine-made names are domain indicators of dga" jq_true \
	'[.hosts[0].indicators[] | select(.type == "domain" and .behavior == "dga")] | length >= 30' "$TMP/out"
bl report -q --no-geo --format json --set dga.min_nx=100 "$TMP/dga.pcap"
check "dga: none when dga.min_nx is raised past the burst" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "dga")] | length == 0' "$TMP/out"
bl report -q --no-geo --format json "$TMP/browse.pcap"
check "browse: CDN names, probes and typos are no dga, nothing malicious" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "dga" or .malicious)] | length == 0' "$TMP/out"
bl report -q --no-geo --format json --set dga.min_nx=1 --set dga.min_domains=1 --set dga.nx_share=0 "$TMP/browse.pcap"
check "browse: not one CDN or probe name counts as machine-made and NXDOMAIN" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "dga")] | length == 0' "$TMP/out"

# --- word-list dga: names of joined dictionary words, a burst of NXDOMAIN ---
for m in dga-words dga-words-slow browse-words; do gen $m; done
bl report -q --no-geo --format json "$TMP/dga-words.pcap"
check "dga-words: a burst of joined-word names answered NXDOMAIN is a word-list dga" jq_true \
	'[.hosts[0].behaviors[] | select(.kind == "dga" and .type == "wordlist" and .nxdomain >= 40 and .domains >= 40 and .words >= 2 and .rate >= 4)] | length == 1' "$TMP/out"
check "dga-words: the verdict is malicious, the names are domain indicators of dga" jq_true \
	'.hosts[0].malicious and ([.hosts[0].indicators[] | select(.type == "domain" and .behavior == "dga")] | length >= 40)' "$TMP/out"
bl report -q --no-geo --format json --set dga.words_min_nx=60 "$TMP/dga-words.pcap"
check "dga-words: none when dga.words_min_nx is raised past the burst" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "dga")] | length == 0' "$TMP/out"
bl report -q --no-geo --format json "$TMP/dga-words-slow.pcap"
check "dga-words-slow: the same names spread over hours make no burst, no dga" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "dga")] | length == 0' "$TMP/out"
bl report -q --no-geo --format json "$TMP/browse-words.pcap"
check "browse-words: sites whose names join words, typos and a few dead word names: no dga, nothing malicious" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "dga" or .malicious)] | length == 0' "$TMP/out"
bl report -q --no-geo --format json --set dga.words_min_nx=1 --set dga.words_min_domains=1 --set dga.words_rate=0 --set dga.words_nx_share=0 "$TMP/browse-words.pcap"
check "browse-words: of its NXDOMAIN names only the 3 dead word names split into words (not the typos)" jq_true \
	'[.hosts[0].behaviors[] | select(.kind == "dga" and .nxdomain == 3)] | length == 1' "$TMP/out"

# --- bruteforce: repeated short logins, by shape or by refusals; both directions ---
for m in brute-ssh brute-ssh2222 ssh-scan brute-in brute-ftp brute-http admin; do gen $m; done
bl report -q --no-geo --format json "$TMP/brute-ssh.pcap"
check "brute-ssh: 40 short SSH connections are password guessing, the host the attacker (a worker)" jq_true \
	'.hosts[0] | .role == "worker" and any(.behaviors[]; .kind == "bruteforce" and .role == "attacker" and .service == "SSH" and .target == "198.51.100.22" and .attempts == 40)' "$TMP/out"
check "brute-ssh: the server is explained as the target (a suspect)" jq_true \
	'any(.hosts[]; .address == "198.51.100.22" and .selected == "suspect" and any(.behaviors[]; .kind == "bruteforce" and .role == "target"))' "$TMP/out"
check "brute-ssh: the target is an address indicator of bruteforce" jq_true \
	'any(.hosts[0].indicators[]; .type == "address" and .value == "198.51.100.22" and .behavior == "bruteforce")' "$TMP/out"
check "brute-ssh: the guesses' pace is no cnc_beacon" jq_true '[.hosts[0].behaviors[] | select(.kind == "cnc_beacon")] | length == 0' "$TMP/out"
bl report -q --no-geo --no-dpi --format json "$TMP/brute-ssh.pcap"
check "brute-ssh --no-dpi: SSH by its identification strings; attempts past the key exchange, the client's software cited" jq_true \
	'.hosts[0] | .protocols.ssh == 40 and any(.behaviors[]; .kind == "bruteforce" and .service == "SSH" and .attempts == 40 and .past_kex == 40 and .client_software == "libssh2_1.9.0" and (.server_software | startswith("OpenSSH_8.9p1")) and (.evidence | test("past the SSH key exchange")))' "$TMP/out"
check "brute-ssh --no-dpi: the client's software is an ssh_client indicator of bruteforce" jq_true \
	'any(.hosts[0].indicators[]; .type == "ssh_client" and .value == "libssh2_1.9.0" and .behavior == "bruteforce")' "$TMP/out"
bl report -q --no-geo --no-dpi --format json "$TMP/brute-ssh2222.pcap"
check "brute-ssh2222 --no-dpi: guessing on port 2222 is SSH password guessing by the protocol, not the port" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "bruteforce" and .role == "attacker" and .service == "SSH" and .port == 2222 and .attempts == 40 and .client_software == "Go")' "$TMP/out"
bl report -q --no-geo --no-dpi --format json "$TMP/ssh-scan.pcap"
check "ssh-scan --no-dpi: 40 banner exchanges without key exchange are SSH but no password guessing" jq_true \
	'.hosts[0].protocols.ssh == 40 and ([.hosts[].behaviors[] | select(.kind == "bruteforce" or .malicious)] | length == 0)' "$TMP/out"
bl report -q --no-geo --format json "$TMP/ssh-scan.pcap"
check "ssh-scan: the same with nDPI (its SSH is ours): no password guessing" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "bruteforce")] | length == 0' "$TMP/out"
bl report -q --no-geo --format json "$TMP/brute-in.pcap"
check "brute-in: the host receiving guesses from 3 sources is the target, an attacked server" jq_true \
	'.hosts[0] | .address == "10.0.0.5" and .role == "server" and any(.behaviors[]; .kind == "bruteforce" and .role == "target" and .sources == 3)' "$TMP/out"
check "brute-in: ... and no attacker side for it" jq_true '[.hosts[0].behaviors[] | select(.role == "attacker")] | length == 0' "$TMP/out"
bl report -q --no-geo --format json "$TMP/brute-ftp.pcap"
check "brute-ftp: 15 FTP 530 refusals in 3 connections" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "bruteforce" and .role == "attacker" and .service == "FTP" and .failures == 15)' "$TMP/out"
bl report -q --no-geo --format json "$TMP/brute-http.pcap"
check "brute-http: 12 HTTP 401 on one keep-alive connection" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "bruteforce" and .service == "HTTP" and .failures == 12)' "$TMP/out"
check "brute-http: refused login forms are not exfiltration of credentials" jq_true \
	'[.hosts[0].behaviors[] | select(.kind == "exfiltration")] | length == 0' "$TMP/out"
bl report -q --no-geo --format json --set bruteforce.min_failures=20 "$TMP/brute-http.pcap"
check "brute-http: none when bruteforce.min_failures is raised past it" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "bruteforce")] | length == 0' "$TMP/out"
bl report -q --no-geo --format json "$TMP/admin.pcap"
check "admin: a long SSH session, git fetches, short HTTPS, one mistyped FTP and HTTP login: nothing malicious" jq_true \
	'[.hosts[].behaviors[] | select(.malicious)] | length == 0' "$TMP/out"

# --- one address, two machines: a caveat with the evidence ---
for m in dhcp nat bridge; do gen $m; done
bl report -q --no-geo --format json "$TMP/dhcp.pcap"
check "dhcp: a MAC change (and TTL 128 -> 64) on one address is a caveat with both MACs" jq_true \
	'.hosts[0].shared_address | (.macs | map(.mac) == ["02:00:00:00:00:0a", "02:00:00:00:00:0b"]) and (.ttl | map(.initial) == [128, 64]) and (.evidence | test("two machines"))' "$TMP/out"
bl report -q --no-geo "$TMP/dhcp.pcap"
check "dhcp: the text report has the caveat line" grep -q '^  caveat: this address was used by two machines? two MAC addresses' "$TMP/out"
bl report -q --no-geo --format json "$TMP/nat.pcap"
check "nat: TTL families 64 and 128 interleaved behind one MAC are a caveat" jq_true \
	'.hosts[0].shared_address | (.macs | length == 0) and (.ttl | map(.initial) | sort == [64, 128])' "$TMP/out"
bl report -q --no-geo --format json "$TMP/bridge.pcap"
check "bridge: two MACs at once with one TTL (a bridged VM seen twice) is one machine" jq_true \
	'.hosts[0].shared_address == null' "$TMP/out"

# --- one address, two machines reported apart: each host its machine's flows, evidence, behaviors ---
for m in dhcp-split nat-split bridge-scan gear-ttl; do gen $m; done
bl report -q --no-geo --format json "$TMP/dhcp-split.pcap"
check "dhcp-split: the address is two hosts, one per MAC (MAC change), each with its TTL" jq_true \
	'[.hosts[] | select(.address == "10.0.0.5") | .machine | "\(.by) \(.mac) \(.ttl)"] == ["mac 02:00:00:00:00:0a 128", "mac 02:00:00:00:00:0b 64"]' "$TMP/out"
check "dhcp-split: the scan is the second machine's (a worker), its only malicious behavior, its 50 flows" jq_true \
	'.hosts[] | select(.machine.mac == "02:00:00:00:00:0b") | .role == "worker" and ([.behaviors[] | select(.malicious) | .kind] == ["scan"]) and .flows_out == 50 and (.verdict | startswith("10.0.0.5 [02:00:00:00:00:0b] is malicious"))' "$TMP/out"
check "dhcp-split: the first machine only looks up names and browses, nothing malicious, its 25 flows" jq_true \
	'.hosts[] | select(.machine.mac == "02:00:00:00:00:0a") | .malicious == false and ([.behaviors[].kind] | sort == ["dns", "http"]) and .flows_out == 25' "$TMP/out"
check "dhcp-split: each machine's evidence is its own (names it looked up, the web host it browsed)" jq_true \
	'(.hosts[] | select(.machine.mac == "02:00:00:00:00:0a") | [.indicators[] | select(.type == "domain") | .value] | (index("www.example.org") != null) and all(test("^host410") | not)) and (.hosts[] | select(.machine.mac == "02:00:00:00:00:0b") | [.indicators[] | select(.type == "domain") | .value] | length == 10 and all(test("^host410")))' "$TMP/out"
check "dhcp-split: the caveat stays on both, each naming the other machine" jq_true \
	'[.hosts[] | select(.address == "10.0.0.5") | .shared_address.evidence] | (.[0] | test("two machines.*the other 10.0.0.5 \\[02:00:00:00:00:0b\\]")) and (.[1] | test("two machines.*the other 10.0.0.5 \\[02:00:00:00:00:0a\\]"))' "$TMP/out"
bl report -q --no-geo "$TMP/dhcp-split.pcap"
awk '/^host /{h=$0} /^    scan /{print h}' "$TMP/out" >"$TMP/scan-hosts"
check "dhcp-split: the text report names both machines and puts the scan under the second" \
	test "$(cat "$TMP/scan-hosts")" = "host 10.0.0.5 [02:00:00:00:00:0b] (sandbox)"
check "dhcp-split: ... and the first machine's heading carries its MAC" grep -q '^host 10.0.0.5 \[02:00:00:00:00:0a\] (sandbox)$' "$TMP/out"
gen dhcp-tunnel
bl report -q --no-geo --format json "$TMP/dhcp-tunnel.pcap"
check "dhcp-tunnel: data in DNS names from the second machine is its tunnel, not the first's (DNS pairs per machine)" jq_true \
	'(.hosts[] | select(.machine.mac == "02:00:00:00:00:0b") | any(.behaviors[]; .kind == "tunnel")) and (.hosts[] | select(.machine.mac == "02:00:00:00:00:0a") | .malicious == false)' "$TMP/out"
bl report -q --no-geo --format json "$TMP/nat-split.pcap"
check "nat-split: two TTL families interleaved behind one MAC are two hosts; the scan is the TTL 64 machine's" jq_true \
	'([.hosts[] | select(.address == "10.0.0.5") | .machine | "\(.by) \(.ttl)"] | sort == ["ttl 128", "ttl 64"]) and (.hosts[] | select(.machine.ttl == 64) | any(.behaviors[]; .kind == "scan") and .flows_out == 40) and (.hosts[] | select(.machine.ttl == 128) | .malicious == false and any(.behaviors[]; .kind == "http") and .flows_out == 10)' "$TMP/out"
bl report -q --no-geo --format json --host 10.0.0.5 "$TMP/nat-split.pcap"
check "nat-split: --host gives both machines of the address" jq_true \
	'[.hosts[] | select(.selected == "requested") | .machine.ttl] | sort == [64, 128]' "$TMP/out"
bl report -q --no-geo --format json "$TMP/gear-ttl.pcap"
check "gear-ttl: TTL 64 and 255 from one address (a router's two stacks) stay one host, no caveat" jq_true \
	'([.hosts[] | select(.address == "10.0.0.5")] | length == 1) and (.hosts[0] | .machine == null and .shared_address == null and any(.behaviors[]; .kind == "scan"))' "$TMP/out"
bl report -q --no-geo --format json "$TMP/bridge-scan.pcap"
check "bridge-scan: two MACs at once (a MAC-rewriting bridge) stay one host with both its browsing and its scan" jq_true \
	'([.hosts[] | select(.address == "10.0.0.5")] | length == 1) and (.hosts[0] | .machine == null and .shared_address == null and any(.behaviors[]; .kind == "scan") and any(.behaviors[]; .kind == "http") and .flows_out == 55)' "$TMP/out"


# --- flood: the victim of a spoofed SYN flood seen through its backscatter ---
for m in backscatter served torrent6 torrent1; do gen $m; done
bl report -q --no-geo --format json "$TMP/backscatter.pcap"
check "backscatter: SYN-ACKs to 80 addresses that sent no SYN make the host a flood's victim" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "flood" and .role == "target" and .peers == 80 and .ports == "80") and .hosts[0].role != "worker"' "$TMP/out"
bl report -q --no-geo --format json "$TMP/served.pcap"
check "served: 80 clients with handshakes are a server, no flood" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "flood")] | length == 0' "$TMP/out"

# --- p2p: a file-sharing swarm named by nDPI is P2P, not malicious by itself ---
bl report -q --no-geo --format json "$TMP/torrent6.pcap"
check "torrent6: BitTorrent with 6 peers is p2p (file sharing, not malicious)" jq_true \
	'any(.hosts[0].behaviors[]; .kind == "p2p" and .protocol == "bittorrent" and .peers == 6 and .malicious == false) and .hosts[0].malicious == false' "$TMP/out"
bl report -q --no-geo --format json "$TMP/torrent1.pcap"
check "torrent1: one BitTorrent peer makes no p2p" jq_true \
	'[.hosts[].behaviors[] | select(.kind == "p2p")] | length == 0' "$TMP/out"

report detect
