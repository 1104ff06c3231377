# lib.sh - shared helpers for the shell test suites (sourced).
# check DESC CMD...  passes when CMD succeeds; report NAME prints the tally.
cd "$(dirname "$0")/../.." || exit 1
BOTLENS=${BOTLENS:-build/botlens}
DATA=${BOTLENS_DATA:-$(cd .. && pwd)/shared/data}
T_PASS=0 T_FAIL=0 T_SKIP=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

check() {
	desc=$1
	shift
	if "$@"; then
		T_PASS=$((T_PASS + 1))
	else
		T_FAIL=$((T_FAIL + 1))
		echo "FAIL: $desc"
	fi
}

# checkc DESC 'CONDITION' - passes when the shell condition (may use && and ||) holds
checkc() {
	desc=$1
	if eval "$2"; then
		T_PASS=$((T_PASS + 1))
	else
		T_FAIL=$((T_FAIL + 1))
		echo "FAIL: $desc"
	fi
}

skip() {
	T_SKIP=$((T_SKIP + 1))
	echo "skip: $*"
}

report() {
	echo "$1: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" -eq 0 ]
}

# runs botlens; stores stdout, stderr, exit code in $TMP/out $TMP/err $RC
bl() {
	"$BOTLENS" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
}

# pcap_header [linktype] - a little-endian microsecond pcap file header
pcap_header() {
	printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000'
	lt=${1:-1}
	printf "\\$(printf %03o $((lt & 255)))\\$(printf %03o $(((lt >> 8) & 255)))\\000\\000"
}

# pcap_record CAPLEN_BYTES(4 octal escapes) DATA - ts 1 s, caplen = wirelen
pcap_udp_record() {  # an Ethernet/IPv4/UDP packet of 42 bytes, 10.0.0.1:1000 -> 8.8.8.8:53
	printf '\001\000\000\000\000\000\000\000\052\000\000\000\052\000\000\000'
	printf '\000\001\002\003\004\005\000\006\007\010\011\012\010\000'
	printf '\105\000\000\034\000\001\000\000\100\021\000\000\012\000\000\001\010\010\010\010'
	printf '\003\350\000\065\000\010\000\000'
}
