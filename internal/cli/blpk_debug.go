package cli

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"ringvault/bloscpack"
)

// blpk -d output: the argparse namespace and what bloscpack's pack logs.

// namespace is sorted(vars(args).items()) with Python's str() of each
// value, as blpk -d prints it.
func (a *blpkArgs) namespace() [][2]string {
	pyStr := func(v any) string {
		switch v := v.(type) {
		case nil:
			return "None"
		case bool:
			return pyBool(v)
		case int:
			return strconv.Itoa(v)
		case int64:
			return strconv.FormatInt(v, 10)
		}
		return fmt.Sprint(v)
	}
	str := func(dest string, def any) any {
		if v, ok := a.vals[dest]; ok {
			return v
		}
		return def
	}
	pos := func(i int) any {
		if i < len(a.pos) {
			return a.pos[i]
		}
		return nil
	}
	m := map[string]any{"verbose": a.verbose, "debug": a.debug, "force": a.force, "nthreads": a.nthreads, "subcommand": a.subName}
	switch a.sub {
	case "compress", "append":
		m["typesize"], m["clevel"], m["shuffle"], m["cname"] = a.typesize, a.clevel, !a.flags["no_shuffle"], str("cname", "blosclz")
		m["metadata"] = str("metadata", nil)
		if a.sub == "compress" {
			m["chunk_size"] = str("chunk_size", "1M")
			if _, ok := a.vals["chunk_size"]; ok {
				m["chunk_size"] = a.chunkSize
			}
			m["checksum"], m["offsets"] = str("checksum", "adler32"), !a.flags["no_offsets"]
			m["in_file"], m["out_file"] = pos(0), pos(1)
		} else {
			m["original_file"], m["new_file"], m["no_check_extension"] = pos(0), pos(1), a.flags["no_check_extension"]
		}
	case "decompress":
		m["in_file"], m["out_file"], m["no_check_extension"] = pos(0), pos(1), a.flags["no_check_extension"]
	case "info", "verify":
		m["file_"] = pos(0)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{k, pyStr(m[k])}
	}
	return out
}

// blpkDebugCompress is what bloscpack's pack() logs at debug level before
// the chunks.
func blpkDebugCompress(log *blpkLog, a *blpkArgs, o *bloscpack.Options, h bloscpack.Header, size int64) {
	log.normal("BloscArgs:\n    typesize: %d\n    clevel: %d\n    shuffle: %s\n    cname: '%s'",
		o.Blosc.Typesize, o.Blosc.Clevel, pyBool(o.Blosc.Shuffle != 0), o.Blosc.Codec)
	maxApp := "<function <lambda>>"
	if a.maxApp >= 0 {
		maxApp = strconv.FormatInt(a.maxApp, 10)
	}
	log.normal("BloscpackArgs:\n    offsets: %s\n    checksum: '%s'\n    max_app_chunks: %s", pyBool(o.Offsets), o.Checksum, maxApp)
	if o.Metadata != nil {
		log.normal("MetadataArgs:\n    magic_format: b'JSON'\n    meta_checksum: 'adler32'\n    meta_codec: 'zlib'\n    meta_level: 6\n    max_meta_size: <function <lambda>>")
	} else {
		log.normal("metadata_args will be silently ignored")
	}
	if h.Offsets {
		if a.maxApp >= 0 {
			log.normal("max_app_chunks is an int")
		} else {
			log.normal("max_app_chunks is a callable")
		}
	} else {
		log.normal("max_app_chunks will be silently ignored")
	}
	log.normal("max_app_chunks was set to: %d", h.MaxAppChunks)
	log.normal("%s", blpkHeaderText(h))
	log.normal("raw_bloscpack_header: %s", bloscpack.PyBytesRepr(h.Encode(nil)))
}

// blpkDebugDecompress logs what bloscpack's reader logs at debug level:
// the header and offsets, then for every chunk its Blosc header, digest
// check and sizes.
func blpkDebugDecompress(log *blpkLog, r *bloscpack.Reader) {
	blpkDebugBeginning(log, r)
	h := r.Header()
	r.OnChunk = func(i int, chunk, digest []byte, n int) {
		blpkDebugBloscHeader(log, chunk)
		last := ""
		if int64(i) == h.NChunks-1 {
			last = " (last)"
		}
		log.normal("decompressing chunk '%d'%s", i, last)
		if len(digest) > 0 {
			log.normal("checksum OK (%s): %s", h.Checksum, bloscpack.PyBytesRepr(digest))
		}
		log.normal("chunk handled, in: %s out: %s", bloscpack.DoublePrettySize(int64(len(chunk))), bloscpack.DoublePrettySize(int64(n)))
	}
}

// blpkDebugBloscHeader is _read_compressed_chunk_fp's debug line.
func blpkDebugBloscHeader(log *blpkLog, chunk []byte) {
	log.normal("blosc_header: OrderedDict([('version', %d), ('versionlz', %d), ('flags', %d), ('typesize', %d), ('nbytes', %d), ('blocksize', %d), ('ctbytes', %d)])",
		chunk[0], chunk[1], chunk[2], chunk[3], binary.LittleEndian.Uint32(chunk[4:]), binary.LittleEndian.Uint32(chunk[8:]), binary.LittleEndian.Uint32(chunk[12:]))
}

// blpkDebugBeginning is _read_beginning's debug output: header, metadata
// and offsets.
func blpkDebugBeginning(log *blpkLog, r *bloscpack.Reader) {
	h := r.Header()
	raw := h.Encode(nil)
	log.normal("reading bloscpack header")
	log.normal("bloscpack_header_raw: %s", bloscpack.PyBytesRepr(raw))
	log.normal("bloscpack header: BloscpackHeader(format_version=%d, offsets=%s, metadata=%s, checksum='%s', typesize=%d, chunk_size=%d, last_chunk=%d, nchunks=%d, max_app_chunks=%d)",
		h.FormatVersion, pyBool(h.Offsets), pyBool(h.Metadata), h.Checksum, h.Typesize, h.ChunkSize, h.LastChunk, h.NChunks, h.MaxAppChunks)
	if mh := r.MetaHeader(); mh != nil {
		log.normal("raw metadata header: %s", bloscpack.PyBytesRepr(mh.Encode(nil)))
		log.normal("%s", blpkMetaHeaderText(mh))
		if len(mh.Digest) > 0 {
			log.normal("metadata checksum OK (%s): %s", mh.Checksum, bloscpack.PyBytesRepr(mh.Digest))
		}
		blpkLogMetaRead(log, r)
	}
	if h.Offsets {
		slots := make([]byte, 0, 8*h.TotalSlots())
		offs := r.Offsets()
		parts := make([]string, len(offs))
		for i, o := range offs {
			parts[i] = strconv.FormatInt(o, 10)
		}
		for i := int64(0); i < h.TotalSlots(); i++ {
			v := int64(-1)
			if i < int64(len(offs)) {
				v = offs[i]
			}
			slots = binary.LittleEndian.AppendUint64(slots, uint64(v))
		}
		log.normal("Read raw offsets: %s", bloscpack.PyBytesRepr(slots))
		log.normal("Offsets: [%s]", strings.Join(parts, ", "))
	}
}

// blpkDebugChunks logs every chunk pack() writes, at debug level.
func blpkDebugChunks(log *blpkLog, w *bloscpack.Writer, ck bloscpack.Checksum) {
	w.OnChunk = func(i int64, inN int, chunk, digest []byte) {
		last := ""
		if i == w.Header().NChunks-1 {
			last = " (last)"
		}
		log.normal("Handle chunk '%d'%s", i, last)
		if len(digest) > 0 {
			log.normal("checksum (%s): %s", ck, bloscpack.PyBytesRepr(digest))
		} else {
			log.normal("no checksum")
		}
		log.normal("chunk handled, in: %s out: %s", bloscpack.DoublePrettySize(int64(inN)), bloscpack.DoublePrettySize(int64(len(chunk))))
	}
}
