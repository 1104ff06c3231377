#!/bin/sh
# real_report.sh - specific findings of `botlens report` on real captures
# of ../shared/data/pcap/real (skipped with a reason when absent): each
# line asserts that a host gets a behavior kind whose evidence matches a
# pattern, or that a host is (not) reported.  The rules behind them are
# general (doc/report-schema.md); these captures are where they are seen.
. "$(dirname "$0")/lib.sh"
REAL=$DATA/pcap/real

# has FILE HOST KIND EVIDENCE-ERE
has() {
	f=$REAL/$1
	if [ ! -f "$f" ]; then
		skip "$1 absent"
		return
	fi
	"$BOTLENS" report -q --no-geo --format json "$f" >"$TMP/r.json" 2>"$TMP/err"
	checkc "$1: $2 has $3 /$4/" "jq -e --arg h '$2' --arg k '$3' --arg e '$4' \
		'[.hosts[] | select(.address == \$h or (\$h == \"*\")) | .behaviors[] | select(.kind == \$k) |
		  select(.evidence | test(\$e))] | length > 0' '$TMP/r.json' >/dev/null"
}

# absent FILE HOST: HOST is not among the reported hosts
absent() {
	f=$REAL/$1
	if [ ! -f "$f" ]; then
		skip "$1 absent"
		return
	fi
	"$BOTLENS" report -q --no-geo --format json "$f" >"$TMP/r.json" 2>"$TMP/err"
	checkc "$1: $2 not reported" "jq -e --arg h '$2' '[.hosts[] | select(.address == \$h)] | length == 0' '$TMP/r.json' >/dev/null"
}

# host selection: no link-local sandbox host; a public victim; hosts with
# malicious evidence whatever their flow count
absent njrat__njrat.pcap fe80::b9a3:aa8f:3e8e:fe86
has njrat__njrat.pcap 192.168.100.204 dns 'quer'
has suricata-verify__smtperr.pcap 10.6.8.101 spam 'MAIL FROM'
has suricata-verify__smtperr.pcap 10.7.29.101 spam 'SMTP'
# C2 inside one connection
has njrat__njrat.pcap 192.168.100.204 cnc_beacon '^held session to .*:15145'
has caldera__manx-tcp.pcap 172.18.0.3 cnc_beacon 'messages every 19\.[0-9] s'
has malcolm__log4j-attack.pcap 198.51.100.10 cnc_beacon '^remote shell to .*:9001'
has malcolm__log4j-user_agent.pcap 172.16.238.10 cnc_beacon '^remote shell to .*:9001'
# unanswered UDP check-ins, a spray over address blocks
has caldera__manx-udp.pcap 172.18.0.2 cnc_beacon 'UDP connections to .* port 7011, median period 60\.'
has elcabezzonn__capture-Thu-11-24-16-10-28-11_cerber.pcap 192.168.1.46 cnc_beacon 'check-ins to port 6892 sprayed over [0-9]+ networks'
# a stage pushed over raw TCP, both directions of opening
has malcolm__metasploit-ms017-010-win7x64.pcap 192.168.198.225 download 'PE image .*pushed by .* into local port 4444'
has malcolm__eternalromance-doublepulsar-meterpreter.pcap 172.23.33.10 download 'PE image .*from .* port 4444, 155[0-9]{4} B'
# roles of an exploit's two ends: the sender a worker, the target an attacked server
role() {
	f=$REAL/$1
	if [ ! -f "$f" ]; then
		skip "$1 absent"
		return
	fi
	"$BOTLENS" report -q --no-geo --format json "$f" >"$TMP/r.json" 2>"$TMP/err"
	checkc "$1: $2 is a $3 /$4/" "jq -e --arg h '$2' --arg r '$3' --arg e '$4' \
		'any(.hosts[]; .address == \$h and .role == \$r and (.role_reason + \" \" + .verdict | test(\$e)))' '$TMP/r.json' >/dev/null"
}
role malcolm__metasploit-ms017-010-win7x64.pcap 192.168.198.224 worker 'exploit sent to 192.168.198.225'
role malcolm__metasploit-ms017-010-win7x64.pcap 192.168.198.225 server 'was attacked'
role malcolm__log4j-attack.pcap 198.51.100.10 server 'exploit received from 203.0.113.217'
absent malcolm__metasploit-ms017-010-win7x64.pcap 192.168.198.255

# one-way check-ins in a held connection; a P2P file-sharing session is no C2
BEH=$DATA/pcap/behavior
if [ -f "$BEH/strrat-4423258f-59bc-4a88-bfec-d8ac08c88538.pcap" ]; then
	saved=$REAL
	REAL=$BEH
	has strrat-4423258f-59bc-4a88-bfec-d8ac08c88538.pcap 192.168.100.11 cnc_beacon '^one-way check-ins in a held session to .*:8219'
	REAL=$saved
else
	skip "behavior/strrat capture absent"
fi
if [ -f "$BEH/aurora.pcapng" ]; then
	saved=$REAL
	REAL=$BEH
	has aurora.pcapng 192.168.100.206 cnc_beacon '^remote shell to .*:4321'
	has aurora.pcapng 192.168.100.206 exploit '^drive-by: a web page from .* then a remote shell on port 4321'
	REAL=$saved
else
	skip "behavior/aurora capture absent"
fi
if [ -f "$BEH/ndpi__edonkey.pcap" ]; then
	"$BOTLENS" report -q --no-geo --format json "$BEH/ndpi__edonkey.pcap" >"$TMP/r.json" 2>/dev/null
	checkc "ndpi__edonkey.pcap: eDonkey recognised, no cnc_beacon" \
		"jq -e '(.hosts[0].protocols.edonkey // 0) > 0 and ([.hosts[].behaviors[] | select(.kind == \"cnc_beacon\")] | length == 0)' '$TMP/r.json' >/dev/null"
else
	skip "behavior/ndpi__edonkey capture absent"
fi
report real_report
