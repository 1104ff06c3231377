#!/usr/bin/env python3
"""xss_pcap.py OUT.pcap - a capture whose attacker-chosen strings are markup and script:
the sandbox host 192.168.1.10 resolves a DNS name whose labels hold <script>, quotes and
javascript:, sends an HTTP request with such a Host, URI and User-Agent, a TLS ClientHello
with such an SNI, and an SMTP session whose HELO, MAIL FROM and Subject carry them.
The web tests (tests/scripts/web.sh, tests/web/browser.js) check that every one of these
renders as text: escaped in the HTML, no dialog in the browser."""
import struct, sys

from pcapgen import ETH, ip4, pcap_header

H = [192, 168, 1, 10]
out = open(sys.argv[1], 'wb')
out.write(pcap_header())
ident = [0]


def rec(ts, src, dst, proto, payload):
    ident[0] += 1
    frame = ETH + ip4(src, dst, proto, payload, ident[0])
    out.write(struct.pack('<IIII', int(ts), int(round((ts % 1) * 1e6)) % 1000000, len(frame), len(frame)) + frame)


def tcp(sport, dport, seq, ack, flags, data=b''):
    return struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags,
                       65535, 0, 0) + data


class Conn:
    def __init__(self, b, sport, dport, t):
        self.b, self.sp, self.dp, self.s, self.r = b, sport, dport, 1000, 50000
        rec(t, H, b, 6, tcp(sport, dport, self.s, 0, 0x02))
        rec(t + 0.01, b, H, 6, tcp(dport, sport, self.r, self.s + 1, 0x12))
        self.s += 1
        self.r += 1
        rec(t + 0.02, H, b, 6, tcp(sport, dport, self.s, self.r, 0x10))

    def send(self, t, data):
        rec(t, H, self.b, 6, tcp(self.sp, self.dp, self.s, self.r, 0x18, data))
        self.s += len(data)
        rec(t + 0.005, self.b, H, 6, tcp(self.dp, self.sp, self.r, self.s, 0x10))

    def reply(self, t, data):
        rec(t, self.b, H, 6, tcp(self.dp, self.sp, self.r, self.s, 0x18, data))
        self.r += len(data)
        rec(t + 0.005, H, self.b, 6, tcp(self.sp, self.dp, self.s, self.r, 0x10))

    def close(self, t):
        rec(t, H, self.b, 6, tcp(self.sp, self.dp, self.s, self.r, 0x11))
        rec(t + 0.01, self.b, H, 6, tcp(self.dp, self.sp, self.r, self.s + 1, 0x11))
        rec(t + 0.02, H, self.b, 6, tcp(self.sp, self.dp, self.s + 1, self.r + 1, 0x10))


def dns_name(labels):
    return b''.join(bytes([len(l)]) + l for l in labels) + b'\0'


t = 1207044000.0
# DNS: a query and an answer for a name made of hostile labels
name = dns_name([b'<script>alert(1)</script>', b'x"onmouseover="alert(2)', b"javascript:alert('3')", b'com'])
q = struct.pack('!HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0) + name + struct.pack('!HH', 1, 1)
a = struct.pack('!HHHHHH', 0x1234, 0x8180, 1, 1, 0, 0) + name + struct.pack('!HH', 1, 1) + \
    b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 300, 4) + bytes([203, 0, 113, 66])
DNS = [8, 8, 8, 8]
rec(t, H, DNS, 17, struct.pack('!HHHH', 40000, 53, 8 + len(q), 0) + q)
rec(t + 0.02, DNS, H, 17, struct.pack('!HHHH', 53, 40000, 8 + len(a), 0) + a)

# HTTP with a hostile Host, URI and User-Agent
c = Conn([203, 0, 113, 66], 40100, 80, t + 1)
c.send(t + 1.1, b'GET /"><img src=x onerror=alert(4)> HTTP/1.1\r\nHost: <script>alert(5)</script>\r\n'
       b'User-Agent: javascript:alert(6)//"\'<b>\r\n\r\n')
c.reply(t + 1.2, b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello')
c.close(t + 1.3)

# TLS ClientHello with a hostile SNI
c = Conn([203, 0, 113, 67], 40200, 443, t + 2)
sn = b'"><svg onload=alert(7)>.example'
sni = struct.pack('!HHHBH', 0, len(sn) + 5, len(sn) + 3, 0, len(sn)) + sn
body = b'\x03\x03' + b'\x11' * 32 + b'\x00' + b'\x00\x02\x13\x01' + b'\x01\x00' + struct.pack('!H', len(sni)) + sni
hs = b'\x01' + len(body).to_bytes(3, 'big') + body
c.send(t + 2.1, b'\x16\x03\x01' + struct.pack('!H', len(hs)) + hs)
sh = b'\x02' + (38).to_bytes(3, 'big') + b'\x03\x03' + b'\x22' * 32 + b'\x00\x13\x01\x00'
c.reply(t + 2.2, b'\x16\x03\x03' + struct.pack('!H', len(sh)) + sh)
c.close(t + 2.3)

# SMTP with a hostile HELO, sender and subject
c = Conn([203, 0, 113, 68], 40300, 25, t + 3)
c.reply(t + 3.05, b'220 mx.example ESMTP\r\n')
c.send(t + 3.1, b'HELO <script>alert(8)</script>\r\n')
c.reply(t + 3.15, b'250 hello\r\n')
c.send(t + 3.2, b'MAIL FROM:<"javascript:alert(9)"@x.example>\r\n')
c.reply(t + 3.25, b'250 ok\r\n')
c.send(t + 3.3, b'RCPT TO:<victim@example.org>\r\n')
c.reply(t + 3.35, b'250 ok\r\n')
c.send(t + 3.4, b'DATA\r\n')
c.reply(t + 3.45, b'354 go\r\n')
c.send(t + 3.5, b'Subject: <img src=x onerror=alert(10)>\r\n\r\nbody\r\n.\r\n')
c.reply(t + 3.55, b'250 queued\r\n')
c.send(t + 3.6, b'QUIT\r\n')
c.reply(t + 3.65, b'221 bye\r\n')
c.close(t + 3.7)
out.close()
