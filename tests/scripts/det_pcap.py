#!/usr/bin/env python3
"""det_pcap.py OUT.pcap MODE - hand-made captures for detect.sh (Ethernet, pcap, microseconds;
TCP segments in order with correct sequence numbers). Addresses are documentation ranges.

storm3    10.0.0.5:20000 speaks Storm-style XOR-keyed Overnet with 3 peers for 20 min, one
          exchange per peer every ~12 s (Publicize/Ack, Search/SearchNext, Connect/ConnectReply):
          three long-lived UDP flows, nothing else
udp3      the same exchange shape with 3 peers, but fixed-format datagrams of no overlay
          (a constant 19-byte header-like record and a constant 2-byte answer): no key
late3     plain Overnet with 3 long-lived peers, each flow opened by 3 keep-alive datagrams of
          no protocol each way: recognised from later datagrams
dga       10.0.0.5 asks its resolver 10.0.0.1 a few ordinary names, then 60 names of 10-16
          random letters (some with digits) under .com/.net/.org/.info/.biz/.ru over 2 minutes,
          each answered NXDOMAIN (a domain generation algorithm looking for its server)
browse    10.0.0.5 browses: 90 names of sites, CDNs with random-looking labels under their own
          domains (cloudfront, akamaiedge, googlevideo...), all answered with an address; Chrome's
          three random one-label probes and two mistyped names answered NXDOMAIN
dga-words 10.0.0.5 asks two ordinary names, then 50 names of 2-3 joined English words under
          .com/.net/.org/.info/.biz over about 2 minutes, each answered NXDOMAIN (a word-list DGA)
dga-words-slow the same names spread over about 4 hours: no burst
browse-words 10.0.0.5 browses 30 sites whose names join words, CDN names, all resolved; 5
          mistyped names and 4 word-like names answered NXDOMAIN (dead or blocked)
brute-ssh 10.0.0.5 opens 40 SSH connections to 198.51.100.22:22, one every 2 s, every 1.6-3.5 s, each a
          banner, a key exchange and a refused login in about 1.5 s and 1.5 KB each way (password guessing)
brute-ssh2222 the same to port 2222 from a Go client (SSH known by its protocol, not its port)
ssh-scan  40 connections to 198.51.100.22:2222 that exchange banners and close: a version scan,
          no key exchange, no password tried
brute-in  three outside hosts open 40 such connections to 10.0.0.5:22 (the host is the victim)
brute-ftp 10.0.0.5 logs in to 198.51.100.21:21 in 3 connections with 5 USER/PASS pairs each,
          every one refused with 530
brute-http 10.0.0.5 posts a login form 12 times on one keep-alive connection to
          198.51.100.80:80 and gets 401 each time
admin     ordinary use of the same services: one SSH session held 5 min with 200 KB, 5 short SSH
          connections a minute apart (git fetches), 30 short HTTPS connections to one web server,
          one FTP login refused once then accepted, one HTTP 401 then 200
dhcp      10.0.0.5 is one machine (MAC 02:00:00:00:00:0a, TTL 128) for 100 s, then another
          (MAC 02:00:00:00:00:0b, TTL 64) from 120 s: a lease handed to a new machine
nat       10.0.0.5 (one MAC, a NAT gateway) sends packets with TTL 127 and 63 interleaved:
          a Windows and a Linux machine behind one address
bridge    10.0.0.5 sends every packet twice, from two MACs at once, TTL 128 (a VM bridged
          over Wi-Fi, seen on both sides): one machine, no caveat
dhcp-split 10.0.0.5 is a Windows machine (MAC 02:00:00:00:00:0a, TTL 128) that looks up names and
          fetches 15 web pages from 198.51.100.80 (1-6 s apart) from 40 s, then a Linux machine (MAC
          02:00:00:00:00:0b, TTL 64) from 120 s that looks up names and scans 40 ports of
          198.51.100.30 (each refused): two hosts, the scan the second's only
dhcp-tunnel 10.0.0.5 looks up 20 ordinary names as one machine (MAC ...:0a, TTL 128), then as
          another (MAC ...:0b, TTL 64) from 120 s sends 30 queries of 40 hex characters under
          t.example.net (data in DNS names): the tunnel is the second machine's
nat-split 10.0.0.5 (one MAC, a NAT gateway) carries a Windows machine (TTL 127) fetching 10 web pages
          and a Linux machine (TTL 63) scanning 40 ports, interleaved: two hosts by TTL
gear-ttl  10.0.0.5 (one MAC) browses with TTL 63 and scans 40 ports with TTL 254, interleaved
          (a router or embedded box: general-purpose stack at 64, control plane at 255): one host
bridge-scan 10.0.0.5 (one machine, TTL 128) fetches 15 pages, then scans 40 ports, every SYN seen
          twice from two MACs at once (a MAC-rewriting bridge): one host with both
backscatter 10.0.0.5:80 sends SYN-ACKs (some retransmitted) to 80 random outside addresses
          and ports that never sent a SYN; a third of them answer RST: the victim of a
          spoofed-source SYN flood seen through its backscatter
served    10.0.0.5:80 answers 80 outside clients that each send a SYN, complete the handshake,
          send a request and get a reply: an ordinary busy server
torrent6  10.0.0.5 opens BitTorrent peer connections (handshake both ways, a bitfield, a
          piece request and a block) to 6 outside peers: a swarm
torrent1  the same with one peer, one connection: one peer makes no swarm
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


def storm3(keyed, junk=0):
    bot, bport = '10.0.0.5', 20000
    peers = [('198.51.100.%d' % (11 + 20 * i), 10000 + 7 * i) for i in range(3)]
    others = [('203.0.113.%d' % i, 20000 + i) for i in range(1, 40)]
    ev = []
    for k, (pip, pp) in enumerate(peers):
        t = 1.0 + k
        n = 0
        for j in range(junk):   # keep-alives of no protocol first
            ev.append((t, bot, bport, pip, pp, b'\x00\x01' + R.randbytes(6)))
            ev.append((t + 0.1, pip, pp, bot, bport, b'\x00\x02' + R.randbytes(6)))
            t += 5
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
            if keyed is True:
                q, a = xor(q), xor(a)
            ev.append((t, bot, bport, pip, pp, q))
            ev.append((t + R.uniform(0.05, 0.3), pip, pp, bot, bport, a))
            t += R.uniform(9, 15)
            n += 1
    for e in sorted(ev):
        udp(*e)


# --- TCP ---
def tcpseg(sport, dport, seq, ack, flags, data=b''):
    return struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags,
                       65535, 0, 0) + data


class Conn:
    """One TCP connection a -> b, in order: handshake, data both ways, FIN close."""
    def __init__(self, a, b, sport, dport, t, kw=None):
        self.a, self.b, self.sp, self.dp = ipb(a), ipb(b), sport, dport
        self.kw = kw or {}   # the originator's frame(): its MAC and TTL
        self.s, self.r = 1000, 50000
        self.rec(t, 0, 0x02)
        self.rec(t + 0.01, 1, 0x12)
        self.s += 1
        self.r += 1
        self.rec(t + 0.02, 0, 0x10)

    def rec(self, t, d, flags, data=b''):
        if d == 0:
            frame(t, self.a, self.b, 6, tcpseg(self.sp, self.dp, self.s, self.r, flags, data), **self.kw)
        else:
            frame(t, self.b, self.a, 6, tcpseg(self.dp, self.sp, self.r, self.s, flags, data))

    def send(self, t, data):   # client -> server, then the server's ACK
        self.rec(t, 0, 0x18, data)
        self.s += len(data)
        self.rec(t + 0.002, 1, 0x10)

    def reply(self, t, data):
        self.rec(t, 1, 0x18, data)
        self.r += len(data)
        self.rec(t + 0.002, 0, 0x10)

    def close(self, t):
        self.rec(t, 0, 0x11)
        self.s += 1
        self.rec(t + 0.005, 1, 0x11)
        self.r += 1
        self.rec(t + 0.01, 0, 0x10)


def ssh_pkt(msg, n):
    """An SSH-2 binary packet in clear (RFC 4253 6): message `msg` with n bytes of body."""
    payload = bytes([msg]) + R.randbytes(n)
    pad = 4 + (-(5 + len(payload) + 4)) % 8
    return struct.pack('!IB', 1 + len(payload) + pad, pad) + payload + bytes(pad)


def ssh_try(t, client, server, sport, big=0, port=22, kex=True, cli=b'SSH-2.0-libssh2_1.9.0'):
    """An SSH connection: banners, key exchange, one login attempt (or a session of `big` bytes);
    kex False: the banners only, then the client closes (a version scan)."""
    c = Conn(client, server, sport, port, t)
    c.reply(t + 0.05, b'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n')
    c.send(t + 0.06, cli + b'\r\n')
    if kex:
        c.send(t + 0.1, ssh_pkt(20, 1100))                      # KEXINIT
        c.reply(t + 0.15, ssh_pkt(20, 1050))                    # KEXINIT
        c.send(t + 0.2, ssh_pkt(30, 36))                        # KEX_ECDH_INIT
        c.reply(t + 0.3, ssh_pkt(31, 250) + ssh_pkt(21, 0))     # KEX_ECDH_REPLY, NEWKEYS
        c.send(t + 0.35, ssh_pkt(21, 0) + R.randbytes(48))      # NEWKEYS, then encrypted
        c.reply(t + 0.4, R.randbytes(48))
        c.send(t + 0.5, R.randbytes(96))
        c.reply(t + 1.2, R.randbytes(64))
    t += 1.3
    while big > 0:
        c.send(t, R.randbytes(100))
        c.reply(t + 0.05, R.randbytes(1400))
        big -= 1500
        t += 1.5
    c.close(t + 0.1)
    return t + 0.2


def brute_ssh():
    t = 1.0
    for i in range(40):
        ssh_try(t, '10.0.0.5', '198.51.100.22', 40000 + i)
        t += R.uniform(1.6, 3.5)   # the next guess when the last is refused: the server's pace


def brute_ssh_port(kex):
    """40 SSH connections to an unusual port, with a login attempt each or banners only."""
    t = 1.0
    for i in range(40):
        ssh_try(t, '10.0.0.5', '198.51.100.22', 40000 + i, port=2222, kex=kex, cli=b'SSH-2.0-Go')
        t += R.uniform(1.6, 3.5)


def brute_in():
    t = 1.0
    for i in range(40):
        ssh_try(t, '203.0.113.%d' % (10 + i % 3), '10.0.0.5', 50000 + i)
        t += R.uniform(1.6, 3.5)
    # the victim's own ordinary lookups, so that it is the capture's internal host
    dns_pair(0.5, '10.0.0.5', 53000, '10.0.0.1', 'www.example.com', False, 7)


def brute_ftp():
    t = 1.0
    for k in range(3):
        c = Conn('10.0.0.5', '198.51.100.21', 41000 + k, 21, t)
        c.reply(t + 0.05, b'220 FTP server ready\r\n')
        t += 0.1
        for j in range(5):
            c.send(t, b'USER admin\r\n')
            c.reply(t + 0.02, b'331 Password required for admin\r\n')
            c.send(t + 0.05, b'PASS pass%d\r\n' % (k * 5 + j))
            c.reply(t + 0.6, b'530 Login incorrect.\r\n')
            t += 0.8
        c.close(t)
        t += 0.5


def http_exchange(c, t, req, status, body=b'denied'):
    c.send(t, req)
    c.reply(t + 0.05, b'HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n'
            b'WWW-Authenticate: Basic realm="admin"\r\n\r\n' % (status, b'Unauthorized' if status == 401 else b'OK',
                                                               len(body)) + body)


def brute_http():
    c = Conn('10.0.0.5', '198.51.100.80', 42000, 80, 1.0)
    t = 1.1
    for i in range(12):
        form = b'username=admin&password=guess%d' % i
        http_exchange(c, t, b'POST /login HTTP/1.1\r\nHost: 198.51.100.80\r\nContent-Type: '
                      b'application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n' % len(form) + form, 401)
        t += 1.5
    c.close(t)


def admin():
    t = ssh_try(1.0, '10.0.0.5', '198.51.100.22', 40000, big=200000)
    for i in range(5):
        ssh_try(t + 60 * (i + 1), '10.0.0.5', '198.51.100.23', 40100 + i)
    t += 400
    for i in range(30):   # short HTTPS connections to one site (opaque records)
        c = Conn('10.0.0.5', '198.51.100.44', 40200 + i, 443, t)
        c.send(t + 0.05, b'\x16\x03\x01\x00\x40' + R.randbytes(64))
        c.reply(t + 0.1, b'\x16\x03\x03\x00\x60' + R.randbytes(96))
        c.close(t + 0.3)
        t += 0.5
    c = Conn('10.0.0.5', '198.51.100.21', 41000, 21, t)
    c.reply(t + 0.05, b'220 FTP server ready\r\n')
    c.send(t + 0.1, b'USER alice\r\n')
    c.reply(t + 0.12, b'331 Password required\r\n')
    c.send(t + 0.2, b'PASS typo\r\n')
    c.reply(t + 0.8, b'530 Login incorrect.\r\n')
    c.send(t + 3, b'USER alice\r\n')
    c.reply(t + 3.02, b'331 Password required\r\n')
    c.send(t + 3.2, b'PASS right\r\n')
    c.reply(t + 3.3, b'230 Logged in.\r\n')
    c.close(t + 4)
    t += 10
    c = Conn('10.0.0.5', '198.51.100.80', 42000, 80, t)
    http_exchange(c, t + 0.1, b'GET /admin HTTP/1.1\r\nHost: intranet.example.org\r\n\r\n', 401)
    http_exchange(c, t + 2, b'GET /admin HTTP/1.1\r\nHost: intranet.example.org\r\nAuthorization: Basic YTpi\r\n\r\n',
                  200, b'welcome')
    c.close(t + 3)


# --- one address, two machines ---
def eth(src_last):
    return b'\x02\x00\x00\x00\x00\x01' + bytes([2, 0, 0, 0, 0, src_last]) + b'\x08\x00'


def lookups(t0, n, mac, ttl, port0, dup=None, names=None):
    t = t0
    for i in range(n):
        name = names[i] if names else 'host%d.example.org' % (port0 + i)
        q = struct.pack('!HHHHHH', port0 + i, 0x0100, 1, 0, 0, 0) + qname(name) + struct.pack('!HH', 1, 1)
        udp(t, '10.0.0.5', port0 + i, '10.0.0.1', 53, q, eth=eth(mac), ttl=ttl)
        if dup is not None:
            udp(t + 0.0005, '10.0.0.5', port0 + i, '10.0.0.1', 53, q, eth=eth(dup), ttl=ttl)
        a = (struct.pack('!HHHHHH', port0 + i, 0x8180, 1, 1, 0, 0) + qname(name) + struct.pack('!HH', 1, 1) +
             b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 300, 4) + bytes([203, 0, 113, 50]))
        udp(t + 0.01, '10.0.0.1', 53, '10.0.0.5', port0 + i, a, eth=eth(1), ttl=64)
        t += 3.0
    return t


def dhcp():
    lookups(1.0, 30, 0x0a, 128, 40000)
    lookups(120.0, 30, 0x0b, 64, 41000)


def nat():
    t = 1.0
    for i in range(30):
        t = lookups(t, 1, 0x0c, 127 if i % 2 else 63, 40000 + i)


def bridge():
    lookups(1.0, 40, 0x0a, 128, 40000, dup=0x0d)


def browse_web(t, n, kw, sport0):
    """n page fetches from 10.0.0.5 to a web server, one every 3 s (the ordinary machine)."""
    for i in range(n):
        c = Conn('10.0.0.5', '198.51.100.80', sport0 + i, 80, t, kw)
        c.send(t + 0.05, b'GET /news/%d HTTP/1.1\r\nHost: www.example.org\r\nUser-Agent: Mozilla/5.0\r\n\r\n' % i)
        c.reply(t + 0.1, b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>')
        c.close(t + 0.2)
        t += R.uniform(1.0, 6.0)   # a reader's pace, no clock
    return t


def port_scan(t, n, kw, dup=None, first=0):
    """SYNs from 10.0.0.5 to n ports of 198.51.100.30, each refused with a RST (a vertical scan)."""
    for i in range(first, first + n):
        port, seq = 1 + i * 7, R.getrandbits(32)
        for k in [kw] + ([dict(kw, eth=eth(dup))] if dup else []):
            frame(t + (0.0005 if k is not kw else 0), ipb('10.0.0.5'), ipb('198.51.100.30'), 6,
                  tcpseg(45000 + i, port, seq, 0, 0x02), **k)
        frame(t + 0.01, ipb('198.51.100.30'), ipb('10.0.0.5'), 6, tcpseg(port, 45000 + i, 0, seq + 1, 0x14))
        t += 0.5
    return t


def dhcp_split():
    a, b = dict(eth=eth(0x0a), ttl=128), dict(eth=eth(0x0b), ttl=64)
    lookups(1.0, 10, 0x0a, 128, 40000)
    browse_web(40.0, 15, a, 42000)
    lookups(120.0, 10, 0x0b, 64, 41000)
    port_scan(160.0, 40, b)


def dhcp_tunnel():
    lookups(1.0, 20, 0x0a, 128, 40000)
    secret = [''.join(R.choice('0123456789abcdef') for _ in range(40)) for _ in range(30)]
    lookups(120.0, 30, 0x0b, 64, 41000, names=['%s.t.example.net' % x for x in secret])


def nat_split():
    lin, win = dict(eth=eth(0x0c), ttl=63), dict(eth=eth(0x0c), ttl=127)
    t = 1.0
    for i in range(10):   # the Windows machine browses while the Linux one scans, interleaved
        t = browse_web(t, 1, win, 42000 + i)
        t = port_scan(t, 4, lin, first=4 * i) + 1.0


def gear_ttl():
    web, ctl = dict(eth=eth(0x0c), ttl=63), dict(eth=eth(0x0c), ttl=254)
    t = 1.0
    for i in range(10):
        t = browse_web(t, 1, web, 42000 + i)
        t = port_scan(t, 4, ctl, first=4 * i) + 1.0


def bridge_scan():
    a = dict(eth=eth(0x0a), ttl=128)
    browse_web(1.0, 15, a, 42000)
    port_scan(50.0, 40, a, dup=0x0d)


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


WORDS = ('heaven several middle thousand because river shoulder market winter yellow kitchen '
         'garden silver question morning battle mountain village picture soldier country nation '
         'distant follow answer between children gentle husband neighbor ocean pretty quarter '
         'receive separate strange through valley weather window wonder forest travel').split()


def dga_words(pace):
    """A word-list DGA: names of 2-3 joined words under common TLDs, answered NXDOMAIN; pace: seconds
    between lookups (a burst, or the same names spread thin)."""
    names = [('www.example.com', False), ('time.example.net', False)]
    tlds = ['com', 'net', 'org', 'info', 'biz']
    for i in range(50):
        lab = ''.join(R.sample(WORDS, 2 + i % 2))
        names.append((lab + '.' + tlds[i % len(tlds)], True))
    t = 1.0
    for i, (name, nx) in enumerate(names):
        dns_pair(t, '10.0.0.5', 49152 + i, '10.0.0.1', name, nx, 0x1000 + i)
        t += R.uniform(0.5 * pace, 1.5 * pace)


def browse_words():
    """Ordinary browsing whose site names join words (all resolve), CDNs, a handful of mistyped
    names and a few blocked or dead word-like names answered NXDOMAIN."""
    sites = ['www.facebook.com', 'stackoverflow.com', 'www.theguardian.com', 'www.washingtonpost.com',
             'www.booking.com', 'www.weather.com', 'www.homedepot.com', 'www.bestbuy.com',
             'www.foxnews.com', 'www.nationalgeographic.com', 'www.timeout.com', 'www.yellowpages.com',
             'www.realtor.com', 'www.worldbank.org', 'www.redbull.com', 'www.firefox.com', 'www.dropbox.com',
             'www.bluehost.com', 'www.greenpeace.org', 'www.redcross.org', 'www.goldmansachs.com',
             'www.householdquestion.com', 'www.travelchannel.com', 'www.foodnetwork.com',
             'www.marketwatch.com', 'www.weatherunderground.com', 'www.sciencedaily.com',
             'www.gardenstory.com', 'www.countryliving.com', 'www.rivervalleymarket.com',
             'fonts.googleapis.com', 'cdn.jsdelivr.net', 'cdnjs.cloudflare.com', 'www.gstatic.com']
    for _ in range(10):
        sites.append('d%s.cloudfront.net' % ''.join(R.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(13)))
    names = [(n, False) for n in sites]
    names += [('www.facebok.com', True), ('www.stackoverflw.com', True), ('www.wheather.com', True),
              ('www.goldmansach.com', True), ('www.homedepo.com', True)]
    names += [('www.doubleclickmarket.net', True), ('www.silverwindowstore.com', True),
              ('www.greenrivertravel.com', True), ('www.quietmorningnews.org', True)]
    R.shuffle(names)
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


def backscatter():
    """SYN-ACKs from 10.0.0.5:80 to addresses that sent no SYN (their SYNs were spoofed)."""
    t = 1.0
    for i in range(80):
        dst = '%d.%d.%d.%d' % (R.choice([23, 45, 77, 91, 113, 151, 177, 201]), R.randint(0, 255),
                               R.randint(0, 255), R.randint(1, 254))
        dp, seq, ack = R.randint(1024, 65535), R.getrandbits(32), R.getrandbits(32)
        frame(t, ipb('10.0.0.5'), ipb(dst), 6, tcpseg(80, dp, seq, ack, 0x12))
        if i % 3 == 0:
            frame(t + 0.05, ipb(dst), ipb('10.0.0.5'), 6, tcpseg(dp, 80, ack, 0, 0x04))
        elif i % 3 == 1:   # a retransmitted SYN-ACK to a silent address
            frame(t + 3, ipb('10.0.0.5'), ipb(dst), 6, tcpseg(80, dp, seq, ack, 0x12))
        t += R.uniform(0.5, 4)


def served():
    """80 clients with a full handshake, a request and a reply each."""
    t = 1.0
    for i in range(80):
        src = '%d.%d.%d.%d' % (R.choice([23, 45, 77, 91]), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
        c = Conn(src, '10.0.0.5', R.randint(1024, 65535), 80, t)
        c.send(t + 0.05, b'GET / HTTP/1.1\r\nHost: example.org\r\n\r\n')
        c.reply(t + 0.1, b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
        c.close(t + 0.2)
        t += R.uniform(0.5, 4)


def torrent(npeers):
    """BitTorrent peer wire connections (BEP 3) from 10.0.0.5 to npeers peers."""
    info = bytes(R.getrandbits(8) for _ in range(20))
    hs = lambda pid: b'\x13BitTorrent protocol' + bytes(8) + info + pid
    t = 1.0
    for i in range(npeers):
        peer = '%d.%d.%d.%d' % (R.choice([79, 82, 151, 120]), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
        c = Conn('10.0.0.5', peer, 50000 + i, R.randint(10000, 60000), t)
        c.send(t + 0.05, hs(b'-qB4250-' + bytes(R.getrandbits(8) for _ in range(12))))
        c.reply(t + 0.1, hs(b'-UT3550-' + bytes(R.getrandbits(8) for _ in range(12))))
        c.reply(t + 0.15, struct.pack('!IB', 5, 5) + b'\xff\xff\xff\xf0')    # bitfield
        c.send(t + 0.2, struct.pack('!IB', 1, 2))                                # interested
        c.reply(t + 0.25, struct.pack('!IB', 1, 1))                              # unchoke
        c.send(t + 0.3, struct.pack('!IBIII', 13, 6, 0, 0, 16384))               # request
        c.reply(t + 0.4, struct.pack('!IBII', 9 + 1024, 7, 0, 0) + bytes(1024))  # piece
        c.close(t + 0.5)
        t += R.uniform(0.5, 2)


if mode == 'storm3':
    storm3(True)
elif mode == 'udp3':
    storm3(False)
elif mode == 'late3':
    storm3('plain', junk=3)
elif mode == 'dga':
    dga()
elif mode == 'browse':
    browse()
elif mode == 'dga-words':
    dga_words(2.0)
elif mode == 'dga-words-slow':
    dga_words(300.0)
elif mode == 'browse-words':
    browse_words()
elif mode == 'brute-ssh':
    brute_ssh()
elif mode == 'brute-ssh2222':
    brute_ssh_port(True)
elif mode == 'ssh-scan':
    brute_ssh_port(False)
elif mode == 'brute-in':
    brute_in()
elif mode == 'brute-ftp':
    brute_ftp()
elif mode == 'brute-http':
    brute_http()
elif mode == 'admin':
    admin()
elif mode == 'dhcp':
    dhcp()
elif mode == 'nat':
    nat()
elif mode == 'bridge':
    bridge()
elif mode == 'dhcp-split':
    dhcp_split()
elif mode == 'dhcp-tunnel':
    dhcp_tunnel()
elif mode == 'nat-split':
    nat_split()
elif mode == 'gear-ttl':
    gear_ttl()
elif mode == 'bridge-scan':
    bridge_scan()
elif mode == 'backscatter':
    backscatter()
elif mode == 'served':
    served()
elif mode == 'torrent6':
    torrent(6)
elif mode == 'torrent1':
    torrent(1)
else:
    sys.exit('det_pcap.py: unknown mode %r' % mode)
