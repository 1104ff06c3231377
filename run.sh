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
	echo "== the seed's graphs: time x destination port (botlens plot, botlens compare)"
	./build/botlens plot -q --annotate explain out/storm-private.pcap -o out/storm-private.png
	./build/botlens plot -q --annotate explain out/storm-public.pcap -o out/storm-public.png
	./build/botlens compare -q out/storm-private.pcap out/storm-public.pcap -o out/compare.png | tee out/compare.txt
	echo "== why these destination ports? (botlens ports)"
	./build/botlens ports -q out/storm-private.pcap -o out/storm-private.ports.png >out/storm-private.ports.txt
	./build/botlens ports -q out/storm-public.pcap -o out/storm-public.ports.png >out/storm-public.ports.txt
	./build/botlens ports -q --range 50000-51000 --bin 10 out/storm-public.pcap -o out/storm-public.band.png >/dev/null
	./build/botlens ports -q --format json out/storm-private.pcap >out/storm-private.ports.json
	./build/botlens ports -q --format json out/storm-public.pcap >out/storm-public.ports.json
	grep -v '^  ' out/storm-private.ports.txt
	grep -v '^  ' out/storm-public.ports.txt
	grep '^  dense band' out/storm-public.ports.txt
	echo "== written: $(ls out/* | tr '\n' ' ')"
	echo "== botlens report out/storm-private.pcap (the run explained)"
	./build/botlens report -q out/storm-private.pcap | sed -n '3,24p'
	./build/botlens report -q out/storm-public.pcap -o out/storm-public.report.json
	./build/botlens report -q out/storm-private.pcap out/storm-public.pcap -o out/report.html
	echo "== report: $(pwd)/out/report.html"
	echo "== to browse these runs in the web interface (botlens serve):"
	mkdir -p out/serve
	echo "   ./build/botlens token add me --token-file out/serve/tokens   # prints your token"
	echo "   ./build/botlens serve --data out/serve &                     # http://127.0.0.1:8080/"
	echo "   for f in out/storm-private.pcap out/storm-public.pcap; do"
	echo "     curl -H \"Authorization: Bearer TOKEN\" --data-binary @\$f \"http://127.0.0.1:8080/api/v1/runs?name=\${f##*/}\"; done"
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
