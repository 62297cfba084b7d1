#!/usr/bin/python3
"""python3-whisper 1.1.4 side of bench/whisper.sh.

Runs one workload on a whisper file and prints one JSON line:
{"op": ..., "ops": calls, "points": points written or read, "seconds": wall time}.
The Go side (bench/cmd/whisperbench) runs the same workload with the same
points and the same now on an identical file.

    whisper_py.py OP PATH NOW N [BATCH]
"""
import json
import sys
import time

import whisper

op, path, now, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
batch = int(sys.argv[5]) if len(sys.argv) > 5 else 0
archives = [(10, 8640), (60, 43200), (3600, 43800)]


def points_for_update(n):
    # monotonic timestamps spread over the last day, ~several per 10 s slot
    step = 86000.0 / n
    return [(now - 86000 + int(i * step), float(i % 97) * 0.5) for i in range(n)]


def points_for_many(n):
    # 1 s apart, ending at now, chronological
    return [(now - n + 1 + i, float(i % 89) * 0.25) for i in range(n)]


if op == 'create':
    whisper.create(path, archives, xFilesFactor=0.5, aggregationMethod='average')
    print(json.dumps({'op': op, 'ops': 1, 'points': 0, 'seconds': 0}))
    sys.exit(0)

if op == 'fill-for-fetch':
    # every 10 s over 30 days: archive 0 full for a day, archive 1 for 30 days
    pts = [(now - i * 10, float(i % 101)) for i in range(30 * 8640)]
    whisper.update_many(path, pts, now=now)
    print(json.dumps({'op': op, 'ops': 1, 'points': len(pts), 'seconds': 0}))
    sys.exit(0)

t0 = time.perf_counter()
count = 0
if op == 'update':
    for ts, v in points_for_update(n):
        whisper.update(path, v, ts, now)
    count = n
elif op == 'update_many':
    pts = points_for_many(n)
    for i in range(0, n, batch):
        whisper.update_many(path, pts[i:i + batch], now=now)
    count = n
elif op == 'fetch':
    span = batch  # seconds
    for _ in range(n):
        (ti, vals) = whisper.fetch(path, now - span, now, now=now)
        count += len(vals)
else:
    raise SystemExit('unknown op ' + op)
dt = time.perf_counter() - t0
print(json.dumps({'op': op, 'ops': n if op != 'update_many' else n // batch, 'points': count, 'seconds': dt}))
