"""Prints "done" when every bench metric's whisper file under DIR holds all
its points (the last one and the first one), else how far carbon got.
Used by bench/cmd/servebench to time carbon-cache's persisting.
    serve_check.py DIR METRICS NOW POINTS [exist]
With "exist", done means every file exists and reads (the warm-up)."""
import os
import sys
import whisper

root, metrics, now, points = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
exist = len(sys.argv) > 5
done = 0
for m in range(metrics):
    path = os.path.join(root, "bench", "host%03d" % (m // 100), "cpu%02d" % (m % 100), "value.wsp")
    if not os.path.exists(path):
        continue
    try:  # carbon may be creating the file right now
        (start, end, step), vals = whisper.fetch(path, now - points * 60, now, now=now)
    except Exception:
        continue
    if exist:
        done += 1
    elif vals and vals[-1] is not None and vals[0] is not None and sum(v is not None for v in vals) >= points:
        done += 1
print("done" if done == metrics else "%d/%d" % (done, metrics))
