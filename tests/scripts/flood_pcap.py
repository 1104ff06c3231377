#!/usr/bin/env python3
"""flood_pcap.py OUT.pcap MODE - hand-made floods for report.sh (Ethernet, pcap, microseconds).

echo   an answered ICMP echo flood: 3,000 requests at 1,500/s from 10.0.0.5 to 10.0.0.9,
       each answered (the per-pair rule; the per-port rule wants no answers)
spray  a spoofed UDP flood sprayed over random ports: 4,000 datagrams in 2 s from 400
       sources to 10.0.0.9, no port or source with more than a few (the victim's rule)
"""
import random, struct, sys

from pcapgen import ETH, csum, ip4, pcap_header


def icmp(t, ident, seq, data):
    h = struct.pack('!BBHHH', t, 0, 0, ident, seq) + data
    return h[:2] + struct.pack('!H', csum(h)) + h[4:]


def udp(sport, dport, data):
    return struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data


out = open(sys.argv[1], 'wb')
mode = sys.argv[2] if len(sys.argv) > 2 else 'echo'
out.write(pcap_header())


def rec(ts, frame):
    out.write(struct.pack('<IIII', int(ts), int(round((ts % 1) * 1e6)) % 1000000, len(frame), len(frame)) + frame)


eth = ETH
A, B = [10, 0, 0, 5], [10, 0, 0, 9]
t = 1000.0
if mode == 'echo':
    for i in range(3000):
        d = bytes(range(56))
        rec(t, eth + ip4(A, B, 1, icmp(8, 77, i, d), i))
        rec(t + 0.0001, eth + ip4(B, A, 1, icmp(0, 77, i, d), i))
        t += 1 / 1500
else:
    rnd = random.Random(1)
    for i in range(4000):
        src = [198, 51, 100 + (i % 400) // 200, (i % 400) % 200 + 1]
        rec(t, eth + ip4(src, B, 17, udp(rnd.randrange(1024, 65536), rnd.randrange(1, 65536), b'x' * 32), i))
        t += 1 / 2000
