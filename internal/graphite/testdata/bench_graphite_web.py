"""Times graphite-web 1.1.8 on the data of bench_test.go (100 series of
8640 points at 10 s): format=json rendering of the plain series, and
sumSeries evaluation. Prints points/s for each, for the ratio with
    go test -run XXX -bench 'RenderJSON|SumSeries' ./internal/graphite

    /usr/bin/python3 internal/graphite/testdata/bench_graphite_web.py
"""
import os, time, warnings
warnings.simplefilter('ignore')
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'graphite.settings')
import django
django.setup()
import logging
logging.disable(logging.CRITICAL)
import pytz
from datetime import datetime
from graphite.render import evaluator, views
from graphite.render.datalib import TimeSeries

NOW = 1700000000
START = NOW - 86400 + 10 - (NOW - 86400) % 10
data = {}
for k in range(100):
    data['bench.host%03d.value' % k] = [float((i * 7 + k) % 1000) / 8 for i in range(8640)]


def fetch(ctx, pathExpr):
    out = []
    for name in sorted(data):
        s = TimeSeries(name, START, START + 86400, 10, list(data[name]), xFilesFactor=0.0)
        s.pathExpression = pathExpr
        out.append(s)
    return out


evaluator.fetchData = fetch
evaluator.prefetchData = lambda ctx, exprs: None
ctx = {'startTime': datetime.fromtimestamp(NOW - 86400, pytz.utc), 'endTime': datetime.fromtimestamp(NOW, pytz.utc),
       'now': datetime.fromtimestamp(NOW, pytz.utc), 'localOnly': False, 'template': {}, 'tzinfo': pytz.utc,
       'forwardHeaders': {}, 'sourceIdHeaders': {}, 'data': [], 'prefetched': {}, 'xFilesFactor': 0.0, 'targets': []}
for label, target, render in (('render json 100x8640', 'bench.*.value', True), ('sumSeries 100x8640', 'sumSeries(bench.*.value)', False)):
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        res = evaluator.evaluateTarget(dict(ctx), target)
        if render:
            views.renderViewJson({}, res)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print('graphite-web %-22s %8.3f s  %12.0f points/s' % (label, best, 100 * 8640 / best))
