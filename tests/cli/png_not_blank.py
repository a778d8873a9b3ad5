#!/usr/bin/env python3
# Whether a screenshot (PNG) shows something: its pixel rows are inflated; a
# blank page filters to rows of zeros (a filter byte and one white pixel at
# most), a drawn one does not. Exit 1 and one FAIL line when blank.
# Usage: png_not_blank.py FILE.png  (tests/cli/html_report.sh, serve_browser.sh)
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    if kind == b'IHDR':
        w, h = struct.unpack('>II', data[pos + 8:pos + 16])
    elif kind == b'IDAT':
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
busy, values = 1 - raw.count(0) / len(raw), len(set(raw))
if busy < 0.02 or values < 64:
    print(f'FAIL: {sys.argv[1]} looks blank ({busy:.1%} non-zero filtered bytes, {values} byte values)')
    sys.exit(1)
print(f'screenshot {sys.argv[1]}: {w}x{h}, {busy:.1%} non-zero filtered bytes, {values} byte values')
