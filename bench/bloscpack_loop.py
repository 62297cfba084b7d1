"""bloscpack's work without bloscpack: the same file layout (header,
offsets with 10 x nchunks reserved, blosc chunk + adler32 per 1 MiB chunk)
written and read with a python3-blosc loop, for bench/bloscpack.sh when
bloscpack's source is not at hand.
    bloscpack_loop.py compress|decompress NTHREADS IN OUT
"""
import struct
import sys
import zlib

import blosc

CHUNK = 1 << 20


def compress(src, dst):
    data_size = 0
    with open(src, 'rb') as f:
        f.seek(0, 2)
        data_size = f.tell()
    nchunks = max(1, -(-data_size // CHUNK))
    last = data_size - (nchunks - 1) * CHUNK
    offsets = []
    with open(src, 'rb') as fin, open(dst, 'wb') as fout:
        fout.write(b'blpk' + struct.pack('<BBBBiiqq', 3, 1, 1, 8, min(CHUNK, data_size), last, nchunks, 10 * nchunks))
        table = fout.tell()
        fout.write(struct.pack('<q', -1) * (11 * nchunks))
        for _ in range(nchunks):
            chunk = fin.read(CHUNK)
            c = blosc.compress(chunk, typesize=8, clevel=7, shuffle=blosc.SHUFFLE, cname='blosclz')
            offsets.append(fout.tell())
            fout.write(c)
            fout.write(struct.pack('<I', zlib.adler32(c) & 0xffffffff))
        fout.seek(table)
        fout.write(struct.pack('<%dq' % nchunks, *offsets))


def decompress(src, dst):
    with open(src, 'rb') as fin, open(dst, 'wb') as fout:
        h = fin.read(32)
        _, _, nchunks, max_app = struct.unpack('<iiqq', h[8:])
        fin.seek(8 * (nchunks + max_app), 1)
        for _ in range(nchunks):
            head = fin.read(16)
            ctbytes = struct.unpack('<I', head[12:16])[0]
            c = head + fin.read(ctbytes - 16)
            if struct.pack('<I', zlib.adler32(c) & 0xffffffff) != fin.read(4):
                sys.exit('checksum mismatch')
            fout.write(blosc.decompress(c))


if __name__ == '__main__':
    blosc.set_nthreads(int(sys.argv[2]))
    {'compress': compress, 'decompress': decompress}[sys.argv[1]](sys.argv[3], sys.argv[4])
