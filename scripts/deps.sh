#!/bin/sh
# deps.sh [build|test] - install what botlens needs from Debian packages.
# As root: apt-get installs what is missing.  Otherwise: prints the exact
# command to run and exits 1.  Already-installed packages are not touched.
set -e
what=${1:-build}
pkgs="gcc make libc6-dev libpcap-dev libjson-c-dev zlib1g-dev libcairo2-dev libpng-dev pkg-config fonts-dejavu-core liblinear-dev libarchive-dev libloc-dev libloc-database libssl-dev libhtp-dev libndpi-dev libsqlite3-dev libpq-dev libmicrohttpd-dev"
if [ "$what" = test ]; then
	pkgs="$pkgs clang libclang-rt-14-dev tshark tcpdump jq libxml2-utils poppler-utils python3 chromium postgresql curl openssl nodejs npm"
fi
# the browser test's puppeteer-core (npm ci into tests/web/node_modules), after the packages
web_setup() {
	[ "$what" = test ] || return 0
	command -v npm >/dev/null || return 0
	sh "$(dirname "$0")/../tests/web/setup.sh" || echo "botlens: npm ci in tests/web failed: the browser test will skip" >&2
}
missing=""
for p in $pkgs; do
	# Node.js from elsewhere (NodeSource's nodejs bundles npm, and conflicts with Debian's npm)
	case "$p" in
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	web_setup
	exit 0
fi
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "botlens: missing Debian packages:$missing" >&2
	echo "run as root:  $cmd" >&2
	exit 1
fi
echo "botlens: installing$missing" >&2
# tshark asks whether non-root users may capture: answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null

web_setup
