#!/usr/bin/env bash
# Regenerates cases.json: runs every line of cases.txt through bloscpack
# 0.16's blpk (BLPK_PEER: a command running it, for example a wrapper
# around its source with the collections.MutableMapping alias restored;
# see bench/bloscpack.sh) in a fresh folder with the shared test files,
# and records exit code, stdout, stderr (a traceback reduced to its last
# line) and the sha256 of every file left in the folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=${RINGVAULT_SHARED:-$here/../../../../../shared}/testdata/bloscpack
peer=${BLPK_PEER:?set BLPK_PEER to a command running bloscpack 0.16 blpk}
/usr/bin/python3 - "$here/cases.txt" "$shared" "$peer" > "$here/cases.json" <<'PY'
import hashlib, json, os, shlex, shutil, subprocess, sys, tempfile
cases_txt, shared, peer = sys.argv[1:4]
out = []
for line in open(cases_txt):
    line = line.strip()
    if not line or line.startswith('#'):
        continue
    d = tempfile.mkdtemp()
    shutil.copy(os.path.join(shared, 'inputs/lin_f8_60000.bin'), os.path.join(d, 'in.bin'))
    shutil.copy(os.path.join(shared, 'p01_blosclz_t8_shuf_l5_adler32.blp'), os.path.join(d, 'p01.blp'))
    shutil.copy(os.path.join(shared, 'p04_zlib_t4_shuf_l1_sha1_meta.blp'), os.path.join(d, 'p04.blp'))
    shutil.copy(os.path.join(shared, 'inputs/p19_append_with_metadata_rewrite.meta.json'), os.path.join(d, 'meta.json'))
    for f in os.listdir(os.path.join(shared, 'errors')):
        shutil.copy(os.path.join(shared, 'errors', f), os.path.join(d, f))
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o644)
    p = subprocess.run(shlex.split(peer) + shlex.split(line), cwd=d, capture_output=True, text=True,
                       env=dict(os.environ, COLUMNS='80'))
    err = p.stderr
    tb = 'Traceback (most recent call last)' in err
    if tb:
        err = err.strip().splitlines()[-1]
    files = {f: hashlib.sha256(open(os.path.join(d, f), 'rb').read()).hexdigest() for f in sorted(os.listdir(d))}
    out.append({'args': line, 'exit': p.returncode, 'stdout': p.stdout, 'stderr': err, 'traceback': tb, 'files': files})
    shutil.rmtree(d)
json.dump(out, sys.stdout, indent=1)
PY
echo "wrote $here/cases.json ($(grep -c '"args"' "$here/cases.json") cases)"
