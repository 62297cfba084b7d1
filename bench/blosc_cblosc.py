"""c-blosc side of bench/blosc.sh: times python-blosc (c-blosc 1.21) on the
inputs bench/cmd/bloscbench wrote, one request at a time so both sides run
under the same machine load.

Usage: blosc_cblosc.py DIR CLEVEL [SHUFFLE: 1 byte (default), 2 bit]. Reads lines "INPUT CODEC THREADS" on
stdin; answers each with one JSON line: compress and decompress MB/s (best
of 5 rounds of at least 0.2 s) and the compressed size. One thread is timed
in thread CPU time (time.thread_time), two threads in wall time.
"""
import json
import sys
import time

import blosc
import numpy as np


def best_rate(fn, nbytes, clock, rounds=5, min_time=0.2):
    best = 0.0
    for _ in range(rounds):
        n, t0 = 0, clock()
        while True:
            fn()
            n += 1
            dt = clock() - t0
            if dt >= min_time:
                break
        best = max(best, n * nbytes / dt / 1e6)
    return best


def main():
    d, clevel = sys.argv[1], int(sys.argv[2])
    shuffle = int(sys.argv[3]) if len(sys.argv) > 3 else blosc.SHUFFLE
    for line in sys.stdin:
        name, codec, nt = line.split()
        nt = int(nt)
        data = open(f"{d}/{name}.f8", "rb").read()
        out = np.empty(len(data), dtype=np.uint8)
        addr = out.__array_interface__["data"][0]
        blosc.set_nthreads(nt)
        clock = time.thread_time if nt == 1 else time.perf_counter
        chunk = blosc.compress(data, typesize=8, clevel=clevel, shuffle=shuffle, cname=codec)
        c = best_rate(lambda: blosc.compress(data, typesize=8, clevel=clevel, shuffle=shuffle, cname=codec), len(data), clock)
        dec = best_rate(lambda: blosc.decompress_ptr(chunk, addr), len(data), clock)
        assert out.tobytes() == data
        print(json.dumps({"compress": c, "decompress": dec, "size": len(chunk)}), flush=True)


if __name__ == "__main__":
    main()
