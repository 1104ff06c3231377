# plot.sh - botlens plot, ports and compare: findings on synthetic runs
# with known truth, image checks (dimensions, non-blank, TCP/UDP colours
# where the data puts them), SVG/PDF validity, real captures, bad input.
. "$(dirname "$0")/lib.sh"

# fontconfig's per-process cache is not a botlens leak (see tests/lsan.supp)
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$PWD/tests/lsan.supp"

jqc() { jq -e "$@" >/dev/null; }

for s in storm-private storm-public benign-browsing; do
	"$BOTLENS" synth --scenario "$s" -o "$TMP/$s.pcap" 2>/dev/null
done
SP=$TMP/storm-private.pcap SU=$TMP/storm-public.pcap BB=$TMP/benign-browsing.pcap

# ---- ports: the truth of the scenarios ---------------------------------
if command -v jq >/dev/null 2>&1; then
	for seed in 1 2 3; do
		"$BOTLENS" synth --scenario storm-private --seed "$seed" -o "$TMP/sp$seed.pcap" 2>/dev/null
		bl ports --format json "$TMP/sp$seed.pcap"
		check "storm-private seed $seed: ports exits 0" [ "$RC" -eq 0 ]
		# 1024-33791 within 2 % of its width (32768 -> 655 ports) at both ends
		check "storm-private seed $seed: UDP peer range 1024-33791 within 2 % ($(jq -r '.protocols.udp.range | "\(.lo_hat|floor)-\(.hi_hat|floor)"' "$TMP/out"))" \
			jqc '.protocols.udp.range | (.lo_hat - 1024 | fabs) <= 655 and (.hi_hat - 33791 | fabs) <= 655' "$TMP/out"
		check "storm-private seed $seed: uniform, rand() % 32768 + 1024" \
			jqc '.protocols.udp.range.uniform and .protocols.udp.range.model == "rand() % 32768 + 1024"' "$TMP/out"
		check "storm-private seed $seed: no band" jqc '[.protocols[].bands[]] | length == 0' "$TMP/out"
		check "storm-private seed $seed: 25 and 53 are services" \
			jqc '(.protocols.tcp.services | map(.port) | index(25)) != null and (.protocols.udp.services | map(.port) | index(53)) != null' "$TMP/out"
		"$BOTLENS" synth --scenario storm-public --seed "$seed" -o "$TMP/su$seed.pcap" 2>/dev/null
		bl ports --format json "$TMP/su$seed.pcap"
		check "storm-public seed $seed: UDP band 50000-51000 found ($(jq -r '[.protocols.udp.bands[] | "\(.lo)-\(.hi) p=\(.p_log10|floor)"] | join(",")' "$TMP/out"))" \
			jqc '.protocols.udp.bands | length == 1 and (.[0].lo - 50000 | fabs) <= 50 and (.[0].hi - 51000 | fabs) <= 50 and .[0].p_log10 < -10' "$TMP/out"
		"$BOTLENS" synth --scenario benign-browsing --seed "$seed" -o "$TMP/bb$seed.pcap" 2>/dev/null
		bl ports --format json "$TMP/bb$seed.pcap"
		check "benign-browsing seed $seed: no band" jqc '[.protocols[].bands[]] | length == 0' "$TMP/out"
	done
else
	skip "jq not installed: ports findings on the synthetic runs"
fi
bl ports "$SP"
check "ports text: the sentence with the numbers" grep -q 'UDP destination ports of [0-9]* peers: uniform on 10[0-9][0-9]–33[0-9]* (p = .*), consistent with rand() % 32768 + 1024' "$TMP/out"
check "ports text: the plain sentence first, the statistics after" sh -c \
	"awk '/^In short:/ && !a {a=NR} /^  UDP: .*look drawn at random between about/ && !p {p=NR} /^The statistics:/ && !s {s=NR} /MVUE/ && !m {m=NR} END {exit !(a && p && s && m && a < p && p < s && s < m)}' '$TMP/out'"
check "ports text: histogram columns labelled" grep -q 'dest. ports    tcp flows    udp flows' "$TMP/out"
bl ports --range 50000-51000 --bin 10 "$SU" -o "$TMP/band.png"
check "ports --range/--bin: 101 bins" [ "$(grep -c '^ *500[0-9][0-9]-\|^ *5[01][0-9]*-' "$TMP/out")" -ge 100 ]
check "ports -o writes a PNG" [ -s "$TMP/band.png" ]
bl ports "$SP" "$SU" "$SP" -o "$TMP/multi-%n.png"
is_png() { [ "$(od -An -c -j1 -N3 "$TMP/$1.png" 2>/dev/null | tr -d " ")" = PNG ]; }
checkc "ports of 3 runs, -o NAME-%n: 3 images (drawn on 2 threads), each a PNG, named on stderr" \
	'[ "$RC" -eq 0 ] && is_png multi-1 && is_png multi-2 && is_png multi-3 && [ $(grep -c "^botlens: wrote .*multi-[123].png" "$TMP/err") -eq 3 ]'
checkc "ports images of the same run are identical" 'cmp -s "$TMP/multi-1.png" "$TMP/multi-3.png"'
bl ports "$SP" "$SU" -o "$TMP/two.png"
checkc "ports of 2 runs, -o without %h/%f/%n: refused (exit 2), nothing written, the hint names the placeholders" \
	'[ "$RC" -eq 2 ] && ! ls "$TMP"/two*.png >/dev/null 2>&1 && [ ! -s "$TMP/out" ] && grep -q "needs %h, %f or %n" "$TMP/err" && grep -q "ports-%f-%h.png" "$TMP/err"'
bl ports "$SP" "$SU" -o "$TMP/p-%f-%h.svg"
checkc "ports -o p-%f-%h.svg: one image per capture and host, named by them" \
	'[ "$RC" -eq 0 ] && [ $(ls "$TMP"/p-*-*.svg | wc -l) -eq 2 ] && ls "$TMP"/p-$(basename "$SP" .pcap)-*.svg >/dev/null'
bl ports "$SP" "$SP" -o "$TMP/q-%h.png"
checkc "ports -o with %h and the same host in two captures: the clash refused (exit 2)" \
	'[ "$RC" -eq 2 ] && grep -q "names two histograms" "$TMP/err" && ! ls "$TMP"/q-*.png >/dev/null 2>&1'
bl ports "$SU" -o "$TMP/one.png"
checkc "ports of one host: -o as given" '[ "$RC" -eq 0 ] && is_png one'
bl ports "$SP" "$SU" -o /nonexistent-dir/m-%n.png
checkc "ports to an unwritable PNG: exit 4 naming it" '[ "$RC" -eq 4 ] && grep -q "nonexistent-dir/m-1.png" "$TMP/err"'
bl ports --format csv "$SP"
check "ports --format csv: header + 64 bins" [ "$(wc -l <"$TMP/out")" -eq 65 ]
bl ports --range 5-3 "$SP"
check "ports --range 5-3: usage error" [ "$RC" -eq 2 ]

# ---- plot: PNG checks ---------------------------------------------------
png_size() {  # width height of a PNG from its IHDR
	od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8}'
}
bl plot "$SP" -o "$TMP/sp.png"
check "plot storm-private: exit 0" [ "$RC" -eq 0 ]
check "plot: PNG is 1200x640" [ "$(png_size "$TMP/sp.png")" = "1200 640" ]
bl plot "$SP" "$SU" "$SP" -o "$TMP/grid.png"
check "plot of 3 panels: a 3x1 grid of 900x480 panels under the title" \
	[ "$(png_size "$TMP/grid.png" | cut -d' ' -f1)" = "2700" ]
bl plot --size 1000x600 "$SP" "$SU" "$SP" -o "$TMP/grid2.png"
check "plot --size applies to grids too" [ "$(png_size "$TMP/grid2.png" | cut -d' ' -f1)" = "3000" ]
bl plot --size 800x500 --yscale log --per packet "$SU" -o "$TMP/su.png"
check "plot --size 800x500 --yscale log --per packet" [ "$(png_size "$TMP/su.png")" = "800 500" ]
bl plot --annotate none --inbound "$SU" -o "$TMP/in.png"
checkc "plot --inbound --annotate none" '[ "$RC" -eq 0 ] && [ -s "$TMP/in.png" ]'

if command -v python3 >/dev/null 2>&1; then
	# Sample pixels where the flows are: geometry of plot.c (panel 1200x640,
	# plot area x 74..1082, y 78..590, time over the capture's span).
	dur=$("$BOTLENS" info --format json "$SP" | sed 's/.*"duration":\([0-9.]*\).*/\1/')
	"$BOTLENS" flows --no-header "$SP" | awk -F'\t' -v d="$dur" '$4 == "192.168.152.136" {
		x = 74 + $2 / d * (1082 - 74); y = 590 - $7 / 65535 * (590 - 78);
		printf "%s %d %d\n", $8, x, y }' >"$TMP/pos"
	cat >"$TMP/px.py" <<'PY'
import sys, zlib, struct
def png(path):
    d = open(path, 'rb').read(); pos = 8; idat = b''; w = h = 0
    while pos < len(d):
        n, t = struct.unpack('>I4s', d[pos:pos + 8]); c = d[pos + 8:pos + 8 + n]; pos += 12 + n
        if t == b'IHDR': w, h = struct.unpack('>II', c[:8]); ct = c[9]
        elif t == b'IDAT': idat += c
    raw = zlib.decompress(idat); bpp = 4 if ct == 6 else 3; st = w * bpp; rows = []; prev = bytearray(st); i = 0
    for _ in range(h):
        f = raw[i]; line = bytearray(raw[i + 1:i + 1 + st]); i += 1 + st
        for x in range(st):
            a = line[x - bpp] if x >= bpp else 0; b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line); prev = line
    return w, h, rows, bpp
w, h, rows, bpp = png(sys.argv[1])
def rgb(x, y):  # RGB or RGBA rows (cairo drops alpha when the image is opaque)
    p = rows[y][x * bpp:x * bpp + 3]; return p[0], p[1], p[2]
colours = set(rgb(x, y) for y in range(0, h, 4) for x in range(0, w, 4))
print('distinct', len(colours))
want = {'udp': lambda r, g, b: r > 200 and 80 < g < 190 and b < 120,
        'tcp': lambda r, g, b: b > 110 and b > r + 50 and g < b}
for line in open(sys.argv[2]):
    proto, x, y = line.split(); x, y = int(x), int(y)
    if proto not in want: continue
    hit = any(want[proto](*rgb(min(max(x + dx, 0), w - 1), min(max(y + dy, 0), h - 1)))
              for dx in range(-4, 5) for dy in range(-4, 5))
    print(proto, 'hit' if hit else 'miss')
PY
	python3 "$TMP/px.py" "$TMP/sp.png" "$TMP/pos" >"$TMP/px" 2>&1 || cat "$TMP/px"
	check "plot: not blank (more than 20 colours)" [ "$(awk '/distinct/ {print $2}' "$TMP/px")" -gt 20 ]
	check "plot: UDP colour at every UDP flow's position ($(grep -c 'udp hit' "$TMP/px") hits)" \
		sh -c "grep -q 'udp hit' '$TMP/px' && ! grep -q 'udp miss' '$TMP/px'"
	check "plot: TCP colour at every TCP flow's position ($(grep -c 'tcp hit' "$TMP/px") hits)" \
		sh -c "grep -q 'tcp hit' '$TMP/px' && ! grep -q 'tcp miss' '$TMP/px'"
else
	skip "python3 not installed: PNG pixel checks"
fi

# ---- SVG, PDF ------------------------------------------------------------
bl plot "$SU" -o "$TMP/su.svg"
checkc "plot SVG: exit 0, under 5 MB" '[ "$RC" -eq 0 ] && [ "$(wc -c <"$TMP/su.svg")" -lt 5000000 ]'
if command -v xmllint >/dev/null 2>&1; then
	check "plot SVG: well-formed (xmllint)" xmllint --noout "$TMP/su.svg"
else
	skip "xmllint not installed (libxml2-utils): SVG well-formedness"
fi
bl compare "$SP" "$SU" -o "$TMP/cmp.pdf"
checkc "compare PDF: exit 0, %PDF header" '[ "$RC" -eq 0 ] && [ "$(head -c 4 "$TMP/cmp.pdf")" = "%PDF" ]'
if command -v pdftoppm >/dev/null 2>&1; then
	check "compare PDF: readable (pdftoppm)" pdftoppm -png -r 30 -singlefile "$TMP/cmp.pdf" "$TMP/cmppdf"
else
	skip "pdftoppm not installed (poppler-utils): PDF rendering"
fi

# ---- compare --------------------------------------------------------------
bl compare "$SP" "$SU" -o "$TMP/cmp.png"
check "compare: two panels side by side (1800x634)" [ "$(png_size "$TMP/cmp.png")" = "1800 634" ]
check "compare: difference table" grep -q '^share inbound' "$TMP/out"
if command -v jq >/dev/null 2>&1; then
	bl compare --format json "$SP" "$SU"
	check "compare json: inbound share 0 vs > 0, band only in B" \
		jqc '.a.share_inbound == 0 and .b.share_inbound > 0 and ([.a.protocols[].bands[]] | length) == 0 and ([.b.protocols[].bands[]] | length) >= 1' "$TMP/out"
fi
if command -v jq >/dev/null 2>&1; then
	"$BOTLENS" synth --scenario storm-private --duration 60 -o "$TMP/short.pcap" >/dev/null 2>&1
	bl compare --format json "$TMP/short.pcap" "$SP" -o "$TMP/cmp-own.png"
	check "compare: durations 12x apart are drawn each on its own time axis" \
		sh -c "[ $RC -eq 0 ] && jq -e '.time_axis == \"own\"' '$TMP/out' >/dev/null && [ -s '$TMP/cmp-own.png' ]"
	bl compare --format json "$SP" "$SU"
	check "compare: comparable durations share the time axis" jqc '.time_axis == "shared"' "$TMP/out"
fi
bl compare "$SP"
check "compare with one capture: usage error" [ "$RC" -eq 2 ]

# ---- bad input ------------------------------------------------------------
pcap_header >"$TMP/empty.pcap"
bl plot "$TMP/empty.pcap" -o "$TMP/empty.png"
check "empty capture: clear message, no image" \
	sh -c "[ $RC -ne 0 ] && grep -q 'nothing to plot' '$TMP/err' && [ ! -e '$TMP/empty.png' ]"
bl plot "$SP" -o "$TMP/x.gif"
checkc "plot -o x.gif: usage error" '[ "$RC" -eq 2 ] && grep -q "unknown image type" "$TMP/err"'
bl plot "$SP"
check "plot without -o: usage error" [ "$RC" -eq 2 ]
bl plot --host 10.9.9.9 "$SP" -o "$TMP/nohost.png"
check "plot --host absent: message" grep -q 'does not appear' "$TMP/err"

# ---- real captures ----------------------------------------------------------
if [ -d "$DATA/pcap/behavior" ]; then
	n=0 bad=0
	for f in "$DATA"/pcap/behavior/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if ! "$BOTLENS" plot -q "$f" -o "$TMP/real.png" 2>"$TMP/err" || [ ! -s "$TMP/real.png" ]; then
			bad=$((bad + 1))
			echo "  $f: $(head -1 "$TMP/err")"
		fi
		rm -f "$TMP/real.png"
	done
	check "all $n captures under pcap/behavior plot without error ($bad failed)" [ "$bad" -eq 0 ]
else
	skip "$DATA/pcap/behavior absent: real captures"
fi
# annotations from the report analyses: phases and notable endpoints, by name in the PDF's text
if command -v pdftotext >/dev/null 2>&1 && command -v jq >/dev/null 2>&1; then
	bl plot --annotate explain "$SP" -o "$TMP/ann.pdf"
	pdftotext "$TMP/ann.pdf" "$TMP/ann.txt"
	checkc "plot labels the phases (p2p, spam)" 'grep -qx "p2p" "$TMP/ann.txt" && grep -qx "spam" "$TMP/ann.txt"'
	proxy=$(jq -r '.hosts[] | select(.role == "cnc_proxy") | .address' "$SP.truth.json" | head -1)
	checkc "plot labels a C&C proxy as notable ($proxy)" 'grep -q "^$proxy" "$TMP/ann.txt"'
	bl plot --annotate none "$SP" -o "$TMP/bare.pdf"
	pdftotext "$TMP/bare.pdf" "$TMP/bare.txt"
	checkc "--annotate none: no phase labels" '! grep -qx "spam" "$TMP/bare.txt"'
	bl plot "$SP" -o "$TMP/auto.pdf"
	pdftotext "$TMP/auto.pdf" "$TMP/auto.txt"
	checkc "--annotate auto: service contacts, no report phases" '! grep -qx "spam" "$TMP/auto.txt" && grep -q "first smtp" "$TMP/auto.txt"'
else
	skip "pdftotext or jq absent: annotation labels"
fi

bl plot "$SP" -o /nonexistent-dir/x.png
checkc "plot to an unwritable PNG: exit 4 naming it" '[ "$RC" -eq 4 ] && grep -q "^botlens: cannot write .*/nonexistent-dir/x.png" "$TMP/err"'

report plot
