"""Differential oracle: evaluates render targets with graphite-web's own
evaluator and functions (Debian's graphite-web) over an in-memory data set.

Reads JSON on stdin (one request, or a list of requests answered by a
list of answers):
  {"now": int, "from": int, "until": int, "xff": float,
   "metrics": {name: {"start": int, "step": int, "values": [float|null]}},
   "targets": [str]}
and prints, per target, a list of (or with "json": [{options}...], the texts
graphite-web's renderViewJson answers with each set of request options)
  {"name", "start", "end", "step", "values", "tags"} or {"error": str}.
Fetch follows whisper: slots t with floor(from) < t <= floor(until).
"""
import fnmatch, json, math, os, sys, warnings
warnings.simplefilter('ignore')
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'graphite.settings')
import django
django.setup()
import logging
logging.disable(logging.CRITICAL)
import pytz
from datetime import datetime
from graphite.render import evaluator
from graphite.render.datalib import TimeSeries
from graphite.finders.utils import BaseFinder  # noqa: F401 (import check)

REQS = json.load(sys.stdin)  # one request, or a list of them
METRICS = {}


def expand_braces(p):
    i = p.find('{')
    if i < 0:
        return [p]
    j = p.find('}', i)
    if j < 0:
        return [p]
    return [v for alt in p[i + 1:j].split(',') for v in expand_braces(p[:i] + alt + p[j + 1:])]


def match(pattern, name):
    pp, nn = pattern.split('.'), name.split('.')
    if len(pp) != len(nn):
        return False
    return all(any(fnmatch.fnmatchcase(n, v) for v in expand_braces(p)) for p, n in zip(pp, nn))


def fetch(name, frm, until):
    m = METRICS[name]
    step, start = m['step'], m['start'] - m['start'] % m['step']
    fi = frm - frm % step + step
    ui = until - until % step + step
    if ui < fi:
        ui = fi
    vals = []
    for t in range(fi, ui, step):
        i = (t - start) // step
        vals.append(m['values'][i] if t >= start and i < len(m['values']) else None)
    return fi, ui, step, vals


def fake_fetchData(ctx, pathExpr):
    frm = int(ctx['startTime'].timestamp())
    until = int(ctx['endTime'].timestamp())
    out = []
    for name in sorted(METRICS):
        if match(pathExpr, name):
            s, e, st, v = fetch(name, frm, until)
            ts = TimeSeries(name, s, e, st, v, xFilesFactor=ctx.get('xFilesFactor'))
            ts.pathExpression = pathExpr
            out.append(ts)
    return out


evaluator.fetchData = fake_fetchData
evaluator.prefetchData = lambda ctx, exprs: None

tz = pytz.utc


def num(v):
    if v is None:
        return None
    v = float(v)
    if math.isnan(v):
        return None
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v


from graphite.render import views


def run(req):
  global METRICS
  METRICS = req['metrics']
  for m in METRICS.values():  # whisper returns floats; JSON made integral ones ints
    m['values'] = [None if v is None else float(v) for v in m['values']]
  results = []
  for target in req['targets']:
      ctx = {
          'startTime': datetime.fromtimestamp(req['from'], tz),
          'endTime': datetime.fromtimestamp(req['until'], tz),
          'now': datetime.fromtimestamp(req['now'], tz),
          'localOnly': False, 'template': {}, 'tzinfo': tz, 'forwardHeaders': {},
          'sourceIdHeaders': {}, 'data': [], 'prefetched': {},
          'xFilesFactor': req.get('xff', 0.0), 'targets': [target],
      }
      try:
          out = []
          if req.get('json') is not None:
              texts = []
              for opts in req['json']:
                  data = evaluator.evaluateTarget(dict(ctx, prefetched={}), target)
                  texts.append(views.renderViewJson(dict(opts), data).content.decode())
              results.append(texts)
              continue
          for s in evaluator.evaluateTarget(ctx, target):
              out.append({'name': s.name, 'start': s.start, 'end': s.end, 'step': s.step,
                          'values': [num(v) for v in s], 'tags': {k: str(v) for k, v in s.tags.items()}})
          results.append(out)
      except Exception as e:  # the Go side only checks that it fails too
          results.append({'error': '%s: %s' % (type(e).__name__, e)})
  return results


if isinstance(REQS, list):
    json.dump([run(r) for r in REQS], sys.stdout)
else:
    json.dump(run(REQS), sys.stdout)
