#!/usr/bin/env python3
"""det_pcap.py OUT.pcap MODE - hand-made captures for detect.sh (Ethernet, pcap, microseconds;
TCP segments in order with correct sequence numbers). Addresses are documentation ranges.

storm3    10.0.0.5:20000 speaks Storm-style XOR-keyed Overnet with 3 peers for 20 min, one
          exchange per peer every ~12 s (Publicize/Ack, Search/SearchNext, Connect/ConnectReply):
          three long-lived UDP flows, nothing else
udp3      the same exchange shape with 3 peers, but fixed-format datagrams of no overlay
          (a constant 19-byte header-like record and a constant 2-byte answer): no key
dga       10.0.0.5 asks its resolver 10.0.0.1 a few ordinary names, then 60 names of 10-16
          random letters (some with digits) under .com/.net/.org/.info/.biz/.ru over 2 minutes,
          each answered NXDOMAIN (a domain generation algorithm looking for its server)
browse    10.0.0.5 browses: 90 names of sites, CDNs with random-looking labels under their own
          domains (cloudfront, akamaiedge, googlevideo...), all answered with an address; Chrome's
          three random one-label probes and two mistyped names answered NXDOMAIN
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


# --- DNS (RFC 1035) ---
def qname(name):
    return b''.join(bytes([len(l)]) + l.encode() for l in name.split('.')) + b'\0'


def dns_pair(t, client, sport, server, name, nx, qid):
    q = struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0) + qname(name) + struct.pack('!HH', 1, 1)
    udp(t, client, sport, server, 53, q)
    if nx:
        a = struct.pack('!HHHHHH', qid, 0x8183, 1, 0, 0, 0) + qname(name) + struct.pack('!HH', 1, 1)
    else:
        a = (struct.pack('!HHHHHH', qid, 0x8180, 1, 1, 0, 0) + qname(name) + struct.pack('!HH', 1, 1) +
             b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 300, 4) + bytes([203, 0, 113, R.randint(1, 254)]))
    udp(t + R.uniform(0.005, 0.05), server, 53, client, sport, a)


def dns_run(names):
    t = 1.0
    for i, (name, nx) in enumerate(names):
        dns_pair(t, '10.0.0.5', 49152 + i, '10.0.0.1', name, nx, 0x1000 + i)
        t += R.uniform(0.3, 2.5)


def dga():
    names = [('www.example.com', False), ('time.example.net', False), ('update.example.org', False)]
    tlds = ['com', 'net', 'org', 'info', 'biz', 'ru']
    letters = 'abcdefghijklmnopqrstuvwxyz'
    for i in range(60):
        n = R.randint(10, 16)
        lab = ''.join(R.choice(letters + ('0123456789' if i % 4 == 0 else '')) for _ in range(n))
        names.append((lab + '.' + tlds[i % len(tlds)], True))
    dns_run(names)


def browse():
    sites = ['www.wikipedia.org', 'en.wikipedia.org', 'upload.wikimedia.org', 'www.google.com',
             'fonts.googleapis.com', 'fonts.gstatic.com', 'www.gstatic.com', 'apis.google.com',
             'pagead2.googlesyndication.com', 'www.youtube.com', 'i.ytimg.com', 'yt3.ggpht.com',
             'www.bbc.co.uk', 'static.files.bbci.co.uk', 'www.theguardian.com', 'assets.guim.co.uk',
             'www.amazon.com', 'images-na.ssl-images-amazon.com', 'm.media-amazon.com',
             'www.nytimes.com', 'static01.nyt.com', 'www.reddit.com', 'styles.redditmedia.com',
             'cdn.jsdelivr.net', 'cdnjs.cloudflare.com', 'ajax.googleapis.com', 'code.jquery.com',
             'github.com', 'avatars.githubusercontent.com', 'github.githubassets.com',
             'www.microsoft.com', 'login.microsoftonline.com', 'www.office.com', 'outlook.live.com',
             'www.netflix.com', 'assets.nflxext.com', 'occ-0-1-2.1.nflxso.net', 'ipv4-c001-ams001-ix.1.oca.nflxvideo.net',
             'www.bing.com', 'th.bing.com', 'news.ycombinator.com', 'stackoverflow.com', 'cdn.sstatic.net',
             'www.abc.net.au', 'www.smh.com.au', 'www.spiegel.de', 'www.lemonde.fr', 'www.repubblica.it']
    cdn = []
    for _ in range(14):
        cdn.append('d%s.cloudfront.net' % ''.join(R.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(13)))
        cdn.append('e%d.dscb.akamaiedge.net' % R.randint(1000, 99999))
        cdn.append('r%d---sn-%s.googlevideo.com' % (R.randint(1, 9), ''.join(R.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(8))))
    names = [(n, False) for n in sites + cdn]
    names += [(''.join(R.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(R.randint(7, 15))), True) for _ in range(3)]
    names += [('www.wikipedai.org', True), ('www.gogle.con', True)]
    R.shuffle(names)
    dns_run(names)


if mode == 'storm3':
    storm3(True)
elif mode == 'udp3':
    storm3(False)
elif mode == 'dga':
    dga()
elif mode == 'browse':
    browse()
else:
    sys.exit('det_pcap.py: unknown mode %r' % mode)
