"""Cluster oracle: graphite-web's own RemoteFinder (finders/remote.py)
talks to a ringvault node as a CLUSTER_SERVERS member would, and
graphite-web evaluates targets over what it fetched.

    cluster.py HOST:PORT FROM UNTIL NOW TARGET...

Prints JSON: {"find": [[path, is_leaf]...], "index": [...],
"render": {target: [{"name","start","end","step","values"}]}}.
"""
import json, os, sys, warnings
warnings.simplefilter('ignore')
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'graphite.settings')
import django
django.setup()
import logging
logging.disable(logging.CRITICAL)
import pytz
from datetime import datetime
from graphite.finders.remote import RemoteFinder
from graphite.node import LeafNode
from graphite.storage import FindQuery, Store
from graphite.render import datalib, evaluator

host, frm, until, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
finder = RemoteFinder(host)
store = Store(finders=[finder], tagdb=None)
datalib.STORE = store

out = {'find': [], 'render': {}}
for node in finder.find_nodes(FindQuery('servers.*.cpu.*', frm, until)):
    out['find'].append([node.path, isinstance(node, LeafNode)])
out['index'] = finder.get_index({})
for target in sys.argv[5:]:
    ctx = {'startTime': datetime.fromtimestamp(frm, pytz.utc), 'endTime': datetime.fromtimestamp(until, pytz.utc),
           'now': datetime.fromtimestamp(now, pytz.utc), 'localOnly': False, 'template': {},
           'tzinfo': pytz.utc, 'forwardHeaders': {}, 'sourceIdHeaders': {}, 'data': [], 'prefetched': {},
           'xFilesFactor': 0.0, 'targets': [target]}
    res = evaluator.evaluateTarget(ctx, target)
    out['render'][target] = [{'name': s.name, 'start': s.start, 'end': s.end, 'step': s.step,
                              'values': [v for v in s]} for s in res]
if finder.disabled:
    out['failed'] = True
json.dump(out, sys.stdout)
