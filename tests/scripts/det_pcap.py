#!/usr/bin/env python3
"""det_pcap.py OUT.pcap MODE - hand-made captures for detect.sh (Ethernet, pcap, microseconds;
TCP segments in order with correct sequence numbers). Addresses are documentation ranges.

storm3    10.0.0.5:20000 speaks Storm-style XOR-keyed Overnet with 3 peers for 20 min, one
          exchange per peer every ~12 s (Publicize/Ack, Search/SearchNext, Connect/ConnectReply):
          three long-lived UDP flows, nothing else
udp3      the same exchange shape with 3 peers, but fixed-format datagrams of no overlay
          (a constant 19-byte header-like record and a constant 2-byte answer): no key
"""
import random, struct, sys

from pcapgen import ETH, ip4, pcap_header

out = open(sys.argv[1], 'wb')
mode = sys.argv[2]
out.write(pcap_header())
ident = [0]
R = random.Random(7)


def ipb(s):
    return bytes(int(x) for x in s.split('.'))


def frame(ts, src, dst, proto, seg, eth=ETH, ttl=None):
    ident[0] += 1
    pkt = ip4(src, dst, proto, seg, ident[0])
    if ttl is not None:   # rewrite the TTL and the header checksum
        from pcapgen import csum
        h = bytearray(pkt[:20])
        h[8] = ttl
        h[10:12] = b'\0\0'
        h[10:12] = struct.pack('!H', csum(bytes(h)))
        pkt = bytes(h) + pkt[20:]
    f = eth + pkt
    out.write(struct.pack('<IIII', int(ts), int(round((ts % 1) * 1e6)) % 1000000, len(f), len(f)) + f)


def udp(ts, src, sp, dst, dp, data, **kw):
    frame(ts, ipb(src), ipb(dst), 17, struct.pack('!HHHH', sp, dp, 8 + len(data), 0) + data, **kw)


# --- Overnet (mldonkey's overnet.txt; p2p/overnet.c) under a 40-byte XOR key ---
KEY = bytes((0x3c + 11 * i) & 0xff for i in range(40))


def xor(b):
    return bytes(c ^ KEY[i % 40] for i, c in enumerate(b))


def peer(ip, port):
    return R.randbytes(16) + ipb(ip) + struct.pack('<H', port) + b'\0'


def publicize(ip, port):
    return b'\xe3\x0c' + R.randbytes(16) + ipb(ip) + struct.pack('<H', port) + b'\0'


def storm3(keyed):
    bot, bport = '10.0.0.5', 20000
    peers = [('198.51.100.%d' % (11 + 20 * i), 10000 + 7 * i) for i in range(3)]
    others = [('203.0.113.%d' % i, 20000 + i) for i in range(1, 40)]
    ev = []
    for k, (pip, pp) in enumerate(peers):
        t = 1.0 + k
        n = 0
        while t < 1200:
            if not keyed:
                q, a = b'\x17\x01' + b'\0' * 17, b'\x17\x02'
            elif n % 3 == 0:
                q, a = publicize(bot, bport), b'\xe3\x0d'
            elif n % 3 == 1:
                h = R.randbytes(16)
                lst = b''.join(peer(*R.choice(others)) for _ in range(R.randint(1, 4)))
                q = b'\xe3\x0e\x02' + h
                a = b'\xe3\x0f' + h + bytes([len(lst) // 23]) + lst
            else:
                lst = b''.join(peer(*R.choice(others)) for _ in range(R.randint(2, 4)))
                q = publicize(bot, bport)
                q = b'\xe3\x0a' + q[2:]
                a = b'\xe3\x0b' + struct.pack('<H', len(lst) // 23) + lst
            if keyed:
                q, a = xor(q), xor(a)
            ev.append((t, bot, bport, pip, pp, q))
            ev.append((t + R.uniform(0.05, 0.3), pip, pp, bot, bport, a))
            t += R.uniform(9, 15)
            n += 1
    for e in sorted(ev):
        udp(*e)


if mode == 'storm3':
    storm3(True)
elif mode == 'udp3':
    storm3(False)
else:
    sys.exit('det_pcap.py: unknown mode %r' % mode)
