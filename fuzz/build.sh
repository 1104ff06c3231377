#!/bin/sh
# fuzz/build.sh - builds the libFuzzer harnesses into build-fuzz/.
#
# The library sources of capture/, decode/ and flow/ are compiled
# directly with clang under ASan+UBSan and fuzzer coverage; each harness
# links against them.  Also builds seed_decode (no fuzzer main), which
# turns captures into fuzz_decode seeds.  Needs clang's libFuzzer
# (Debian: libclang-rt-14-dev).
set -eu
cd "$(dirname "$0")/.."

CC=${CC:-clang}
OUT=build-fuzz
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-std=c11 -g -O1 -Wall -Wextra -Wno-unused-parameter -Isrc -Ifuzz -D_GNU_SOURCE -DBOTLENS_VERSION=\"fuzz\""
LIBS="-lpcap -ljson-c -lz -lm -lpthread"


mkdir -p "$OUT/obj"
objs=""
# the layers the harnesses drive: capture, decode, flow, engine (not plots, synth, cli)
for src in $(find src/capture src/decode src/flow src/engine src/util -name '*.c' | sort); do
	obj="$OUT/obj/$(echo "$src" | tr '/' '_' | sed 's/\.c$/.o/')"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ fuzz/build.sh -nt "$obj" ] ||
	   [ -n "$(find src -name '*.h' -newer "$obj" | head -1)" ]; then
		$CC $CFLAGS $SAN -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
	fi
	objs="$objs $obj"
done

for h in fuzz_decode fuzz_reader; do
	$CC $CFLAGS $SAN -fsanitize=fuzzer -o "$OUT/$h" "fuzz/$h.c" $objs $LIBS
done
# the Overnet codec (p2p/overnet.c, p2p/xor.c) on its own: no capture layers needed
$CC $CFLAGS $SAN -fsanitize=fuzzer -o "$OUT/fuzz_overnet" fuzz/fuzz_overnet.c src/p2p/overnet.c src/p2p/xor.c -lm
# the behavior report parsers (behavior/*.c) on their own
BEHAVIOR_SRCS="$(find src/behavior -name '*.c' | sort)"   # util/ is in $objs
$CC $CFLAGS $SAN -fsanitize=fuzzer -o "$OUT/fuzz_report" fuzz/fuzz_report.c \
	$BEHAVIOR_SRCS src/analysis/ports.c src/analysis/stats.c src/analysis/contacts.c $objs -llinear -larchive -ljson-c -lpcap -lz -lm -lpthread
# the nDPI wrapper (analysis/dpi.c) on its own, against the system's libndpi
$CC $CFLAGS $(pkg-config --cflags libndpi) $SAN -fsanitize=fuzzer -o "$OUT/fuzz_dpi" fuzz/fuzz_dpi.c \
	src/analysis/dpi.c $(pkg-config --libs libndpi) -lm
# the report's collector with every application parser (analysis/proto_*.c: TLS with
# OpenSSL, HTTP over libhtp) and its per-flow state, shared by fuzz_tls, fuzz_http, fuzz_protos
COLLECT_SRCS="src/analysis/collect.c src/analysis/protos.c src/analysis/tls_cert.c src/analysis/arp_sweep.c src/analysis/storm.c \
	src/analysis/http_sniff.c src/analysis/dpi.c src/analysis/dpi_work.c src/analysis/dpi_thread.c src/analysis/ident.c src/analysis/clock.c src/analysis/dga_words.c $(find src/analysis -name 'proto_*.c' | sort) $(find src/p2p -name '*.c' | sort)"
COLLECT_LIBS="-lhtp -lssl -lcrypto $(pkg-config --libs libndpi) -ljson-c"
for h in fuzz_tls fuzz_http fuzz_protos; do
	$CC $CFLAGS $(pkg-config --cflags libndpi) $SAN -fsanitize=fuzzer -o "$OUT/$h" "fuzz/$h.c" $COLLECT_SRCS $objs \
		$COLLECT_LIBS $LIBS
done
# the text files botlens reads besides captures: model, cluster state, labels
# (behavior/), crawl snapshots and truth files (p2p/size.c)
for h in fuzz_model fuzz_cstate fuzz_labels; do
	$CC $CFLAGS $SAN -fsanitize=fuzzer -o "$OUT/$h" "fuzz/$h.c" $BEHAVIOR_SRCS src/analysis/ports.c \
		src/analysis/stats.c src/analysis/contacts.c $objs -llinear -larchive -ljson-c -lpcap -lz -lm -lpthread
done
for h in fuzz_snapshot fuzz_truth; do
	$CC $CFLAGS $SAN -fsanitize=fuzzer -o "$OUT/$h" "fuzz/$h.c" $(find src/p2p -name '*.c' | sort) src/util/line.c src/util/jsonout.c src/util/utf8.c \
		-ljson-c -lm
done
# what the store takes from an analysis child: the flows TSV loader and outcome.json
$CC $CFLAGS $(pkg-config --cflags libpq) $SAN -fsanitize=fuzzer -o "$OUT/fuzz_store" fuzz/fuzz_store.c src/store/store.c src/store/sqlite*.c \
	src/store/worker_outcome.c src/store/pg*.c src/util/utf8.c \
	-lsqlite3 -lpq -ljson-c -lcrypto -lpthread -lm
$CC $CFLAGS $SAN -o "$OUT/seed_decode" fuzz/seed_decode.c $objs $LIBS
echo "fuzz: built $OUT/fuzz_decode $OUT/fuzz_reader $OUT/fuzz_overnet $OUT/fuzz_report $OUT/fuzz_tls $OUT/fuzz_http $OUT/fuzz_protos $OUT/fuzz_dpi" \
	"$OUT/fuzz_model $OUT/fuzz_cstate $OUT/fuzz_labels $OUT/fuzz_snapshot $OUT/fuzz_truth $OUT/fuzz_store"
