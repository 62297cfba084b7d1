#!/usr/bin/python3
"""Makes the whisper CLI test fixtures with python3-whisper 1.1.4.

Run with Debian's /usr/bin/python3 from this folder:
    /usr/bin/python3 mkfixtures.py fixtures
Everything uses NOW (the tests' fixed clock), so the files are reproducible.
"""
import math
import os
import struct
import sys

import whisper

NOW = 1700000000
out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def p(name):
    return os.path.join(out, name)


for n in os.listdir(out):
    os.unlink(p(n))

# small: two archives, max aggregation, points in the last hour.
whisper.create(p('small.wsp'), [(60, 10), (300, 12)], xFilesFactor=0.2, aggregationMethod='max')
whisper.update_many(p('small.wsp'), [(NOW - 60 * i, float(i) * 1.5) for i in range(0, 9)], now=NOW)
whisper.update_many(p('small.wsp'), [(NOW - 1200 - 300 * i, float(i)) for i in range(0, 6)], now=NOW)

# other: the same layout, partly different values and gaps.
whisper.create(p('other.wsp'), [(60, 10), (300, 12)], xFilesFactor=0.2, aggregationMethod='max')
whisper.update_many(p('other.wsp'), [(NOW - 60 * i, float(i) * 1.5 + (i % 3 == 0)) for i in range(0, 9) if i != 4], now=NOW)
whisper.update_many(p('other.wsp'), [(NOW - 3000 - 300 * i, float(-i)) for i in range(0, 3)], now=NOW)

# day: 1-minute points over a day, three archives, average, with gaps.
whisper.create(p('day.wsp'), [(60, 1440), (600, 1008), (3600, 720)], xFilesFactor=0.5)
whisper.update_many(p('day.wsp'), [(NOW - 60 * i, math.sin(i / 50.0) * 100) for i in range(0, 1440) if i % 7 != 3], now=NOW)

# special values: nan, inf, -inf, zeros, tiny and huge numbers.
whisper.create(p('special.wsp'), [(1, 60), (10, 60)], xFilesFactor=0.0, aggregationMethod='last')
vals = [float('nan'), float('inf'), float('-inf'), 0.0, -0.0, 1e-300, 1e300, 0.1, 1 / 3.0, 123456789.125, 5e-324, 2.5]
whisper.update_many(p('special.wsp'), [(NOW - 5 - i, v) for i, v in enumerate(vals)], now=NOW)

# empty: created, never written.
whisper.create(p('empty.wsp'), [(60, 60)])

# corrupt headers and short files.
with open(p('small.wsp'), 'rb') as f:
    small = f.read()
with open(p('badagg.wsp'), 'wb') as f:
    f.write(struct.pack('!2LfL', 99, 3600, 0.5, 2) + small[16:])
with open(p('badxff.wsp'), 'wb') as f:
    f.write(struct.pack('!2LfL', 1, 3600, 1.5, 2) + small[16:])
with open(p('short.wsp'), 'wb') as f:
    f.write(small[:10])
with open(p('noarch.wsp'), 'wb') as f:
    f.write(small[:30])
with open(p('zero.wsp'), 'wb') as f:
    pass
