#!/bin/sh
# run.sh - the two entry points of the README.
#   ./run.sh demo   install what is missing, build, synthesise a Storm Worm
#                   sandbox run and analyse it (results in out/)
#   ./run.sh test   install what is missing, build with gcc, clang and
#                   ASan+UBSan, run every test (tests/run.sh)
set -e
cd "$(dirname "$0")"
jobs=$(nproc 2>/dev/null || echo 2)
case "${1:-demo}" in
demo)
	sh scripts/deps.sh build
	make -s -j"$jobs"
	mkdir -p out
	./build/botlens synth --scenario storm-private -o out/storm-private.pcap
	./build/botlens synth --scenario storm-public -o out/storm-public.pcap
	echo "== botlens info out/storm-private.pcap"
	./build/botlens info out/storm-private.pcap
	./build/botlens flows -o out/storm-private.flows.tsv out/storm-private.pcap
	./build/botlens hosts -o out/storm-private.hosts.tsv out/storm-private.pcap
	./build/botlens flows -o out/storm-public.flows.tsv out/storm-public.pcap
	echo "== busiest hosts (botlens hosts out/storm-private.pcap)"
	head -6 out/storm-private.hosts.tsv | cut -f1-11
	echo "== first flows (botlens flows out/storm-private.pcap)"
	head -6 out/storm-private.flows.tsv | cut -f1,4-9,12,15
	echo "== written: $(ls out/* | tr '\n' ' ')"
	;;
test)
	sh scripts/deps.sh test
	sh tests/run.sh
	;;
*)
	echo "usage: ./run.sh demo|test" >&2
	exit 2
	;;
esac
