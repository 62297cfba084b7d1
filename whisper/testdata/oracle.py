# Differential-test oracle: applies operation programs (JSON on stdin) with
# Debian's python3-whisper and prints the results (JSON on stdout).
# Run by whisper/differential_test.go; time.time is pinned to each op's now
# so that whisper-fill and whisper-resize (scripts that read the clock) are
# deterministic.
import contextlib, hashlib, importlib.machinery, importlib.util, io, json, os, runpy, sys, time, bisect

import whisper

NOW = [0]
time.time = lambda: NOW[0]


def load_script(name, path):
    loader = importlib.machinery.SourceFileLoader(name, path)
    spec = importlib.util.spec_from_loader(name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


fillmod = load_script('whisper_fill', '/usr/bin/whisper-fill')


def fl(s):
    return float.fromhex(s)


def hx(v):
    if v is None:
        return None
    return v.hex()


def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def exc(e):
    return [type(e).__name__, str(e)]


def resize_aggregate(path, newfile, new_archives, now, xff, method):
    # whisper master's bin/whisper-resize.py --aggregate, as a function.
    info = whisper.info(path)
    old_archives = info['archives']
    old_archives.sort(key=lambda a: a['secondsPerPoint'], reverse=True)
    if xff is None:
        xff = info['xFilesFactor']
    if method is None:
        method = info['aggregationMethod']
    for archive in old_archives:
        fromTime = now - archive['retention'] + archive['secondsPerPoint']
        archive['data'] = whisper.fetch(path, fromTime, now, now=now)
    whisper.create(newfile, new_archives, xFilesFactor=xff, aggregationMethod=method)
    all_datapoints = []
    for archive in sorted(old_archives, key=lambda x: x['secondsPerPoint']):
        timeinfo, values = archive['data']
        new_datapoints = list(zip(range(*timeinfo), values))
        new_datapoints.reverse()
        if all_datapoints:
            last_timestamp = all_datapoints[-1][0]
            slice_end = 0
            for i, (timestamp, value) in enumerate(new_datapoints):
                if timestamp < last_timestamp:
                    slice_end = i
                    break
            all_datapoints += new_datapoints[slice_end:]
        else:
            all_datapoints += new_datapoints
    all_datapoints.reverse()
    oldtimestamps = list(map(lambda p: p[0], all_datapoints))
    oldvalues = list(map(lambda p: p[1], all_datapoints))
    for archive in whisper.info(newfile)['archives']:
        step = archive['secondsPerPoint']
        fromTime = now - archive['retention'] + now % step
        untilTime = now + now % step + step
        tp = range(fromTime, untilTime, step)
        newdatapoints = []
        for tinterval in zip(tp[:-1], tp[1:]):
            lefti = bisect.bisect_left(oldtimestamps, tinterval[0])
            righti = bisect.bisect_left(oldtimestamps, tinterval[1], lo=lefti)
            newvalues = oldvalues[lefti:righti]
            if newvalues:
                non_none = list(filter(lambda x: x is not None, newvalues))
                if non_none and 1.0 * len(non_none) / len(newvalues) >= xff:
                    newdatapoints.append([tinterval[0], whisper.aggregate(method, non_none, newvalues)])
        whisper.update_many(newfile, newdatapoints, now=now)


def run_op(files, op):
    kind = op['op']
    NOW[0] = op.get('now', 0)
    p = files[op.get('file', 'a')]
    if kind == 'create':
        whisper.create(p, [tuple(a) for a in op['archives']], xFilesFactor=op['xff'],
                       aggregationMethod=op['method'], sparse=op.get('sparse', False))
        return None
    if kind == 'update':
        whisper.update(p, fl(op['value']), op['ts'], now=op['now'])
        return None
    if kind == 'update_many':
        whisper.update_many(p, [(t, fl(v)) for t, v in op.get('points') or []], now=op['now'])
        return None
    if kind == 'fetch':
        r = whisper.fetch(p, op['from'], op.get('until'), now=op['now'], archiveToSelect=op.get('select'))
        if r is None:
            return None
        return [list(r[0]), [hx(v) for v in r[1]]]
    if kind == 'setAggregationMethod':
        return whisper.setAggregationMethod(p, op['method'], op.get('xff'))
    if kind == 'setXFilesFactor':
        return whisper.setXFilesFactor(p, op['xff']).hex()
    if kind == 'merge':
        whisper.merge(files[op['src']], p, op.get('time_from'), op.get('time_to'), now=op['now'])
        return None
    if kind == 'diff':
        r = whisper.diff(files[op['src']], p, op['ignore_empty'], op.get('until'), now=op['now'])
        return [[n, [[t, hx(a), hx(b)] for t, a, b in d], tot] for n, d, tot in r]
    if kind == 'fill':
        fillmod.fill_archives(files[op['src']], p, op['now'])
        return None
    if kind == 'resize':
        newfile = files[op['target']]
        if os.path.exists(newfile):
            os.unlink(newfile)
        if op.get('aggregate'):
            resize_aggregate(p, newfile, [tuple(a) for a in op['archives']], op['now'], op.get('xff'), op.get('method'))
        else:
            argv = ['whisper-resize', p, '--newfile=' + newfile] + op['retentions']
            if op.get('xff') is not None:
                argv.append('--xFilesFactor=%r' % op['xff'])
            if op.get('method') is not None:
                argv.append('--aggregationMethod=' + op['method'])
            old = sys.argv
            sys.argv = argv
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    runpy.run_path('/usr/bin/whisper-resize', run_name='__main__')
            except SystemExit as e:
                if e.code not in (0, None):
                    raise
            finally:
                sys.argv = old
        return None
    raise ValueError('unknown op ' + kind)


def main():
    progs = json.load(sys.stdin)
    out = []
    for prog in progs:
        d = prog['dir']
        files = {k: os.path.join(d, v) for k, v in prog['files'].items()}
        res = []
        for op in prog['ops']:
            try:
                r = {'ok': run_op(files, op)}
            except Exception as e:
                r = {'raises': exc(e)}
            r['sha'] = {k: sha(v) for k, v in files.items() if os.path.exists(v)}
            res.append(r)
        out.append(res)
    json.dump(out, sys.stdout)


main()
