#!/usr/bin/env python3
"""Make the archive7 golden files for ringvault's importer tests.

This script drives the REAL Angelos archive7 code (kristoffer-paulsson/angelos
at d789f47, angelos-archive7 with angelos-bin's nacl, angelos-common and
angelos-psi) through its public async API and writes:

  basic.ar7   password secret: nested dirs, small / empty / exact-block /
              multi-block files, entry links to a file and to a directory,
              chmod (owner, user, group, perms), explicit created/modified
              times, a save() that shrinks a file (blocks go to the trash and
              are reused), SOFT, HARD and ERASE deletes, rename and move,
              a close and reopen in the middle.
  wide.ar7    64-hex-digit key: 260 directories in one directory, so the
              entries tree (order 9) grows a root over many leaves and the
              directory's listing spills into two overflow pages, plus a few
              files and a soft-deleted directory.
  empty.ar7   password secret: a fresh archive (root only), the fuzz seed.
  MANIFEST.json  what each file holds, read back through archive7 itself.

The angelos modules are not part of ringvault: build them from the angelos
repository yourself and put them on PYTHONPATH. Run with TZ=UTC (archive7
stores time.mktime of local wall-clock time; under UTC the stored integers
are plain Unix seconds):

  TZ=UTC python3 make_golden.py OUTDIR
"""
import asyncio
import datetime
import hashlib
import json
import os
import random
import struct
import sys
import uuid
from pathlib import Path, PurePosixPath

from angelos.archive7.archive import Archive7
from angelos.archive7.fs import Delete, EntryRecord

ANGELOS_COMMIT = "d789f47766fe3a63a6752b92e4ea955f420dbaf9"
P = PurePosixPath


def cli_key(secret: str) -> bytes:
    """archive7's CLI rule (utility.pyx get_key): 64 hex digits are the key,
    anything else is a password and the key is the last 32 bytes of
    SHA-512(password)."""
    if len(secret) == 64 and all(c in "0123456789abcdefABCDEF" for c in secret):
        return bytes.fromhex(secret)
    return bytes.fromhex(hashlib.sha512(secret.encode()).hexdigest()[64:])


def dt(s: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(s)


class Golden:
    """Tracks what the generator wrote so the manifest can be checked."""

    def __init__(self):
        self.data = {}       # path -> bytes written last
        self.erased = []     # paths removed with Delete.ERASE
        self.hard = []       # paths removed with Delete.HARD

    async def mkfile(self, ar, path, data, **kw):
        await ar.mkfile(P(path), data, **kw)
        self.data[path] = data

    async def save(self, ar, path, data):
        await ar.save(P(path), data, modified=dt(1_600_000_000))
        self.data[path] = data

    def moved(self, old, new):
        self.data[new] = self.data.pop(old)


async def make_basic(path: Path, secret: str, g: Golden):
    key = cli_key(secret)
    rnd = random.Random(7)
    ar = Archive7.setup(
        path, key, owner=uuid.UUID(int=0x1111), node=uuid.UUID(int=0x2222),
        domain=uuid.UUID(int=0x3333), title="ringvault golden basic", type_=1, role=2, use=3)
    for d in ("/docs", "/docs/notes", "/docs/notes/deep", "/empty-dir"):
        await ar.mkdir(P(d))
    await ar.mkdir(P("/media"), user="alice", group="staff", perms=0o750)
    await g.mkfile(ar, "/hello.txt", b"hello, archive7\n",
                   created=dt(1_500_000_000), modified=dt(1_500_000_100))
    await g.mkfile(ar, "/empty.bin", b"")
    await g.mkfile(ar, "/docs/exact.bin", bytes(rnd.getrandbits(8) for _ in range(4008)))
    await g.mkfile(ar, "/docs/notes/multi.bin", bytes(rnd.getrandbits(8) for _ in range(5 * 4008 + 123)))
    await g.mkfile(ar, "/media/big.bin", bytes(rnd.getrandbits(8) for _ in range(12 * 4008 + 77)),
                   user="alice", group="staff", perms=0o600)
    await g.mkfile(ar, "/docs/notes/deep/unicode-\u00e5\u00e4\u00f6.txt", "r\u00e4ksm\u00f6rg\u00e5s\n".encode())
    # EntryRecord.link types perms as str (a Cython quirk): set it with chmod.
    await ar.link(P("/hello-link"), P("/hello.txt"), user="carol")
    await ar.chmod(P("/hello-link"), perms=0o444)
    await ar.link(P("/docs-link"), P("/docs"))
    await ar.chmod(P("/hello.txt"), owner=uuid.UUID(int=0xABCDEF), user="bob", group="users", perms=0o640)
    ar.close()

    ar = Archive7.open(path, key)
    # Shrinking a file truncates its stream: its tail blocks go to the trash.
    await g.save(ar, "/docs/notes/multi.bin", bytes(rnd.getrandbits(8) for _ in range(2 * 4008 + 5)))
    # New streams now reuse trashed blocks (chains are no longer contiguous).
    await g.mkfile(ar, "/docs/reused.bin", bytes(rnd.getrandbits(8) for _ in range(3 * 4008 + 1)))
    await g.mkfile(ar, "/trash-me.txt", b"soft deleted but kept\n")
    await ar.remove(P("/trash-me.txt"), Delete.SOFT)
    await g.mkfile(ar, "/hard.txt", b"hard deleted: the stream is gone\n")
    await ar.remove(P("/hard.txt"), Delete.HARD)
    g.hard.append("/hard.txt")
    await g.mkfile(ar, "/erase.txt", b"erased: the root listing keeps a dangling id\n")
    await ar.remove(P("/erase.txt"), Delete.ERASE)
    g.erased.append("/erase.txt")
    del g.data["/erase.txt"]
    await ar.rename(P("/docs/notes/deep/unicode-\u00e5\u00e4\u00f6.txt"), "renamed-\u00e5\u00e4\u00f6.txt")
    g.moved("/docs/notes/deep/unicode-\u00e5\u00e4\u00f6.txt", "/docs/notes/deep/renamed-\u00e5\u00e4\u00f6.txt")
    await ar.move(P("/docs/exact.bin"), P("/media"))
    g.moved("/docs/exact.bin", "/media/exact.bin")
    ar.close()


async def make_wide(path: Path, secret: str, g: Golden):
    key = cli_key(secret)
    rnd = random.Random(11)
    ar = Archive7.setup(path, key, owner=uuid.UUID(int=0x4444), title="ringvault golden wide")
    await ar.mkdir(P("/wide"))
    for i in range(260):
        await ar.mkdir(P("/wide/d%03d" % i))
    for i in (0, 7, 100, 259):
        await g.mkfile(ar, "/wide/d%03d/f.bin" % i, bytes(rnd.getrandbits(8) for _ in range(100 + 97 * i)),
                       perms=0o644)
    await ar.mkdir(P("/wide/d007/sub"))
    await g.mkfile(ar, "/wide/d007/sub/leaf.txt", b"deep in a wide tree\n")
    await ar.remove(P("/wide/d200"), Delete.SOFT)
    ar.close()


async def make_empty(path: Path, secret: str, g: Golden):
    Archive7.setup(path, cli_key(secret), title="ringvault golden empty").close()


def raw_entries(ar):
    """Every record of the entries tree, straight from archive7's own tree
    pages (field values as stored, before EntryRecord.meta_unpack turns
    times into datetimes). The pages are scanned as archive7's TreeAnalyzer
    does: the leaves' next chain is not reliable (in wide.ar7 it links 2 of
    some 40 leaves)."""
    mgr = ar._Archive7__manager
    tree = mgr._FileSystemStreamManager__entries.tree
    out = {}
    for k in range(len(tree._pager)):
        if tree._pager[k][:1] not in (b"L", b"S"):
            continue
        for rec in tree._get_node(k).entries:
            f = struct.unpack(EntryRecord.FORMAT, rec.value)
            out[uuid.UUID(bytes=f[1])] = f
    return out


async def manifest_for(path: Path, secret: str, g: Golden) -> dict:
    key = cli_key(secret)
    ar = Archive7.open(path, key)
    mgr = ar._Archive7__manager
    raws = raw_entries(ar)
    paths = {}
    dangling = 0
    for rec, p in mgr.traverse_hierarchy(uuid.UUID(int=0)):
        if rec.type == b"e":
            dangling += 1
            continue
        paths[rec.id] = str(p)
    assert set(paths) == set(raws), "entries tree and listings disagree"
    entries = []
    for eid, f in sorted(raws.items(), key=lambda kv: paths.get(kv[0], "")):
        typ = {b"f": "file", b"d": "dir", b"l": "link"}[f[0]]
        e = {
            "path": paths[eid], "type": typ, "id": str(eid), "parent": str(uuid.UUID(bytes=f[2])),
            "owner": str(uuid.UUID(bytes=f[3])), "stream": str(uuid.UUID(bytes=f[4])),
            "created": f[5], "modified": f[6], "length": f[7], "deleted": bool(f[8]),
            "name": f[9].strip(b"\x00").decode(), "user": f[10].strip(b"\x00").decode(),
            "group": f[11].strip(b"\x00").decode(), "perms": f[12],
        }
        if typ == "file":
            data = g.data[e["path"]]
            if not e["deleted"]:
                assert await ar.load(P(e["path"])) == data, e["path"]
            e["hard_deleted"] = e["path"] in g.hard
            e["size"] = len(data)
            e["sha256"] = hashlib.sha256(data).hexdigest()
        if typ == "link":
            e["target"] = paths[uuid.UUID(bytes=f[3])]
        entries.append(e)
    hdr = ar.stats()
    ar.close()
    return {
        "file": path.name,
        "secret": secret,
        "key_hex": key.hex(),
        "size": path.stat().st_size,
        "blocks": path.stat().st_size // 4096,
        "header": {
            "title": hdr.title.decode(), "owner": str(hdr.owner), "domain": str(hdr.domain),
            "node": str(hdr.node), "id": str(hdr.id), "major": 2, "minor": 0,
        },
        "entries": entries,
        "erased": g.erased,
        "dangling_listing_ids": dangling,
    }


async def main(out: Path):
    if os.environ.get("TZ") != "UTC":
        sys.exit("run with TZ=UTC")
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        ("basic.ar7", "correct horse battery staple", make_basic),
        ("empty.ar7", "empty", make_empty),
        ("wide.ar7", "00112233445566778899aabbccddeeff0123456789abcdef0f1e2d3c4b5a6978", make_wide),
    ]
    files = []
    for name, secret, make in jobs:
        path = out / name
        if path.exists():
            path.unlink()
        g = Golden()
        await make(path, secret, g)
        files.append(await manifest_for(path, secret, g))
    manifest = {
        "about": "archive7 files made by the real Angelos archive7 code through its async API "
                 "(make_golden.py); entries are read back through archive7's own entries tree and "
                 "hierarchy traverser. Times are the stored int64 (time.mktime of local time, "
                 "made under TZ=UTC so they are Unix seconds). 'length' is the entry field, "
                 "'size'/'sha256' the content; 'target' is the link's target path; "
                 "'erased' paths were removed with Delete.ERASE and must not appear; "
                 "'dangling_listing_ids' counts listing ids left behind by archive7's ERASE bug.",
        "independent_generator": False,
        "angelos_repository": "github.com/kristoffer-paulsson/angelos",
        "angelos_commit": ANGELOS_COMMIT,
        "built_with": "Cython 0.29.32, libsodium 1.0.18, CPython 3.11.2 (Debian 12)",
        "key_rule": "64 hex digits = key; otherwise key = last 32 bytes of SHA-512(password)",
        "files": files,
    }
    text = json.dumps(manifest, indent=1, ensure_ascii=False)
    for f in files:  # one line per entry keeps the manifest small and greppable
        for e in f["entries"]:
            text = text.replace(json.dumps(e, indent=1, ensure_ascii=False).replace("\n", "\n    "),
                                json.dumps(e, ensure_ascii=False), 1)
    assert json.loads(text) == manifest
    (out / "MANIFEST.json").write_text(text + "\n")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
