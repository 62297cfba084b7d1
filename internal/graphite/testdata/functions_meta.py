"""Prints graphite-web's /functions metadata (name, signature, module,
group, params) for the functions ringvault implements, as JSON.

    /usr/bin/python3 internal/graphite/testdata/functions_meta.py > internal/graphite/functions_meta.json

Descriptions are not taken from graphite-web: ringvault writes its own.
Debian's graphite-web 1.1.8 cannot answer /functions itself on Python 3.11
(inspect.getargspec is gone), so this uses inspect.signature.
"""
import inspect, json, math, os, sys, warnings
warnings.simplefilter('ignore')
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'graphite.settings')
import django
django.setup()
from graphite.functions import SeriesFunctions

NAMES = sys.argv[1:] or open(os.path.join(os.path.dirname(__file__), 'functions.txt')).read().split()
funcs = SeriesFunctions()
out = {}
for name in NAMES:
    f = funcs[name]
    sig = inspect.signature(f)
    params = list(sig.parameters.values())[1:]
    text = str(sig.replace(parameters=params))
    ps = []
    for p in getattr(f, 'params', None) or []:
        j = p.toJSON()
        if isinstance(j.get('default'), float) and math.isinf(j['default']):
            j['default'] = 'Infinity'
        ps.append(j)
    out[name] = {'name': name, 'function': name + text, 'module': f.__module__,
                 'group': getattr(f, 'group', 'Ungrouped'), 'params': ps}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
