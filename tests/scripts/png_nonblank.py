#!/usr/bin/env python3
"""png_nonblank.py FILE.png - exits 0 when the (8-bit RGB/RGBA, non-interlaced)
PNG shows more than 20 distinct colours among sampled pixels: a rendered
page with a plot, not a blank or single-colour screenshot."""
import struct, sys, zlib

d = open(sys.argv[1], "rb").read()
if d[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(1)
pos, idat = 8, []
while pos + 8 <= len(d):
    n, = struct.unpack(">I", d[pos:pos + 4])
    if d[pos + 4:pos + 8] == b"IDAT":
        idat.append(d[pos + 8:pos + 8 + n])
    pos += 12 + n
raw = zlib.decompress(b"".join(idat))
colours = {raw[i:i + 3] for i in range(0, len(raw) - 3, 101)}
sys.exit(0 if len(colours) > 20 else 1)
