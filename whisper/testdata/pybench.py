# Times python3-whisper on the operations of whisper/bench_test.go (same
# schema, data and batch sizes) so the two can be compared in one run:
#   /usr/bin/python3 whisper/testdata/pybench.py [dir]
import whisper, time, os, sys
p = os.path.join(sys.argv[1] if len(sys.argv) > 1 else '/tmp', 'pybench.wsp')
if os.path.exists(p): os.unlink(p)
whisper.create(p, [(10,8640),(60,43200),(3600,43800)])
now=1700000000
whisper.update_many(p, [(t, float(t%977)) for t in range(now-30*86400+60, now+1, 60)], now=now)
whisper.update_many(p, [(t, float(t%1000)) for t in range(now-86400+10, now+1, 10)], now=now)
def bench(name, n, f, per=1):
    t0=time.perf_counter()
    c0=time.process_time()
    for i in range(n): f(i)
    dt=(time.perf_counter()-t0)/n
    ct=(time.process_time()-c0)/n
    print("%-16s %10.1f us/op %10.1f cpu-us/op %12.0f points/s" % (name, dt*1e6, ct*1e6, per/dt))
bench("fetch1d", 200, lambda i: whisper.fetch(p, now-86400, now, now=now), 8640)
bench("fetch30d", 40, lambda i: whisper.fetch(p, now-30*86400, now, now=now), 43200)
bench("update", 3000, lambda i: whisper.update(p, float(i), now+i*86//100, now=now+i*86//100))
T=[now+3000]
def um(n):
    def f(i):
        pts=[(T[0]+k+1, float(k)) for k in range(n)]; T[0]+=n
        whisper.update_many(p, pts, now=T[0])
    return f
bench("update_many1000", 30, um(1000), 1000)
bench("update_many10", 2000, um(10), 10)
os.unlink(p)
