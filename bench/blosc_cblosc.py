"""Times c-blosc (through python-blosc) on the chunks bench/cmd/bloscbench
wrote; bloscbench runs it and merges its output into one table.

Usage: blosc_cblosc.py DIR CLEVEL CODEC... ; prints one JSON object per
(input, codec, threads) line: compress and decompress MB/s (best of 5
rounds of at least 0.2 s) and the compressed size.
"""
import json
import sys
import time

import blosc
import numpy as np


def best_rate(fn, nbytes, rounds=5, min_time=0.2):
    best = 0.0
    for _ in range(rounds):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            dt = time.perf_counter() - t0
            if dt >= min_time:
                break
        best = max(best, n * nbytes / dt / 1e6)
    return best


def main():
    d, clevel, codecs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    for name in ("linspace", "walk"):
        data = open(f"{d}/{name}.f8", "rb").read()
        out = np.empty(len(data), dtype=np.uint8)
        addr = out.__array_interface__["data"][0]
        for codec in codecs:
            for nt in (1, 2):
                blosc.set_nthreads(nt)
                chunk = blosc.compress(data, typesize=8, clevel=clevel, shuffle=blosc.SHUFFLE, cname=codec)
                c = best_rate(lambda: blosc.compress(data, typesize=8, clevel=clevel, shuffle=blosc.SHUFFLE, cname=codec), len(data))
                dec = best_rate(lambda: blosc.decompress_ptr(chunk, addr), len(data))
                assert out.tobytes() == data
                print(json.dumps({"input": name, "codec": codec, "threads": nt, "compress": c, "decompress": dec, "size": len(chunk)}), flush=True)


if __name__ == "__main__":
    main()
