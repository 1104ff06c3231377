"""pcapgen.py - what the hand-made capture scripts share (flood_pcap.py, c2_pcap.py):
the Internet checksum, an IPv4 header around a payload, a pcap file header (Ethernet,
microseconds) and the Ethernet header they put before every frame."""
import struct

ETH = b'\x00\x01\x02\x03\x04\x05\x00\x06\x07\x08\x09\x0a\x08\x00'


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip4(src, dst, proto, payload, ident):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), ident & 0xffff, 0, 64, proto, 0,
                    bytes(src), bytes(dst))
    return h[:10] + struct.pack('!H', csum(h)) + h[12:] + payload


def pcap_header():
    return struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
