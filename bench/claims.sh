#!/bin/sh
# claims.sh [DIR...] - tabulates `botlens report`'s behavior kinds over every capture of each DIR
# (default: ../shared/data/pcap/tcpdump-tests), one botlens process per directory: the malicious
# claims one per line (capture, host, kind, evidence), then the count per kind (malicious kinds
# marked *). On captures of ordinary traffic every malicious claim is a suspect false alarm.
cd "$(dirname "$0")/.." || exit 1
BOTLENS=${BOTLENS:-build/botlens}
[ $# -gt 0 ] || set -- "$(cd .. && pwd)/shared/data/pcap/tcpdump-tests"
for d in "$@"; do
	if [ ! -d "$d" ]; then
		echo "claims: '$d' absent, skipped"
		continue
	fi
	"$BOTLENS" report -q --no-geo --format json "$d" 2>/dev/null >/tmp/claims.$$.json
	echo "== $d: $(wc -l </tmp/claims.$$.json) captures"
	jq -r '.file as $f | .hosts[] | .address as $h | .behaviors[] | select(.malicious) |
		"claim\t\($f | sub(".*/"; ""))\t\($h)\t\(.kind)\t\(.evidence[:120])"' /tmp/claims.$$.json
	jq -r '.hosts[].behaviors[] | .kind + (if .malicious then "*" else "" end)' /tmp/claims.$$.json |
		sort | uniq -c | sort -rn
	echo "malicious claims: $(jq '[.hosts[].behaviors[] | select(.malicious)] | length' /tmp/claims.$$.json |
		awk '{ n += $1 } END { print n + 0 }')"
done
rm -f /tmp/claims.$$.json
