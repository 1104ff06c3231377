#!/usr/bin/env python3
"""echo_flood.py OUT.pcap - an answered ICMP echo flood (3,000 requests at 1,500/s, each
answered) between two hosts, for the per-pair flood rule (report.sh)."""
import struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def ip4(src, dst, proto, payload, ident):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20+len(payload), ident, 0, 64, proto, 0, bytes(src), bytes(dst))
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload
def icmp(t, ident, seq, data):
    h = struct.pack('!BBHHH', t, 0, 0, ident, seq) + data
    return h[:2] + struct.pack('!H', csum(h)) + h[4:]
out = open(sys.argv[1], 'wb')
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
def rec(ts, frame):
    out.write(struct.pack('<IIII', int(ts), int((ts % 1) * 1e6), len(frame), len(frame)) + frame)
eth = b'\x00\x01\x02\x03\x04\x05\x00\x06\x07\x08\x09\x0a\x08\x00'
A, B = [10,0,0,5], [10,0,0,9]
t = 1000.0
for i in range(3000):   # answered echo flood: 1,500/s for 2 s
    d = bytes(range(56))
    rec(t, eth + ip4(A, B, 1, icmp(8, 77, i, d), i))
    rec(t + 0.0001, eth + ip4(B, A, 1, icmp(0, 77, i, d), i))
    t += 1/1500
