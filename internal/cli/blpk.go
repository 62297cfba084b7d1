package cli

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"ringvault/blosc"
	"ringvault/bloscpack"
	"ringvault/internal/progress"
)

// blpk is bloscpack 0.16's command line tool on ringvault's bloscpack
// package: the same subcommands, options, defaults, output ("blpk: "
// prefixed, on stdout), error texts and exit codes, plus "-" for
// stdin/stdout, "verify", --max-app-chunks, a progress bar and parallel
// chunks. Where the original dies with a Python traceback (checksum and
// format-version mismatches, damaged files) it prints the message the
// original meant to print and exits 1.

func init() {
	Register(&Tool{Name: "blpk", Summary: "bloscpack 0.16's blpk: compress, decompress, append, info, verify .blp files", Run: runBlpk})
	RegisterLink(&Tool{Name: "blpk", Summary: "bloscpack 0.16's blpk", Run: runBlpk})
}

// blpkLog prints as bloscpack's log module: "blpk: " before every
// non-empty line, on stdout; verbose and debug lines only at their level.
type blpkLog struct {
	env          *Env
	verbose      bool
	debug        bool
	stdoutIsData bool // stdout carries data ("-" output): log to stderr
}

func (l *blpkLog) out() io.Writer {
	if l.stdoutIsData {
		return l.env.Stderr
	}
	return l.env.Stdout
}

func (l *blpkLog) normal(format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	for _, line := range strings.Split(msg, "\n") {
		if line != "" {
			fmt.Fprintf(l.out(), "blpk: %s\n", line)
		}
	}
}

func (l *blpkLog) v(format string, args ...any) {
	if l.verbose || l.debug {
		l.normal(format, args...)
	}
}

func (l *blpkLog) error(code int, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	for _, line := range strings.Split(msg, "\n") {
		if line != "" {
			fmt.Fprintf(l.out(), "blpk: error: %s\n", line)
		}
	}
	return code
}

func runBlpk(env *Env, args []string) int {
	ncores := runtime.NumCPU()
	a, exit := parseBlpk(args, ncores)
	if exit != nil {
		io.WriteString(env.Stdout, exit.stdout)
		io.WriteString(env.Stderr, exit.stderr)
		return exit.code
	}
	log := &blpkLog{env: env, verbose: a.verbose, debug: a.debug}
	if a.sub == "compress" && len(a.pos) > 1 && a.pos[1] == "-" || a.sub == "decompress" && blpkOutIsStdout(a) {
		log.stdoutIsData = true
	}
	if a.debug {
		log.normal("command line argument parsing complete")
		log.normal("command line arguments are: ")
		for _, kv := range a.namespace() {
			log.normal("    %s: %s", kv[0], kv[1])
		}
	}
	plural := "s"
	if a.nthreads == 1 {
		plural = ""
	}
	log.v("using %d thread%s", a.nthreads, plural)
	var code int
	switch a.sub {
	case "compress":
		code = blpkCompress(env, log, a)
	case "decompress":
		code = blpkDecompress(env, log, a)
	case "append":
		code = blpkAppend(env, log, a)
	case "info":
		code = blpkInfo(env, log, a.pos[0])
	case "verify":
		code = blpkVerify(env, log, a)
	default:
		io.WriteString(env.Stdout, blpkMainUsage)
		return log.error(2, "too few arguments")
	}
	if code == 0 {
		log.v("done")
	}
	return code
}

func blpkOutIsStdout(a *blpkArgs) bool {
	if len(a.pos) > 1 {
		return a.pos[1] == "-"
	}
	return len(a.pos) > 0 && a.pos[0] == "-"
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// checkFiles is bloscpack's check_files.
func checkFiles(log *blpkLog, in, out string, force bool) (int, bool) {
	if in != "-" && !exists(in) {
		return log.error(1, "input file '%s' does not exist!", in), false
	}
	if out != "-" && exists(out) {
		if !force {
			return log.error(1, "output file '%s' exists!", out), false
		}
		log.v("overwriting existing file: '%s'", out)
	}
	log.v("input file is: '%s'", in)
	log.v("output file is: '%s'", out)
	return 0, true
}

// readMetadataArg reads -m's JSON file (process_metadata_args).
func readMetadataArg(log *blpkLog, a *blpkArgs) ([]byte, int, bool) {
	path, ok := a.vals["metadata"]
	if !ok {
		return nil, 0, true
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && errors.Is(err, os.ErrNotExist) {
			return nil, log.error(1, "[Errno 2] No such file or directory: '%s'", path), false
		}
		return nil, log.error(1, "%v", err), false
	}
	js, err := bloscpack.CompactJSON(bytes.TrimSpace(b))
	if err != nil {
		return nil, log.error(1, "metadata file '%s' does not contain valid JSON: %v", path, err), false
	}
	return js, 0, true
}

func blpkBloscOptions(a *blpkArgs) blosc.Options {
	o := blosc.Options{Typesize: a.typesize, Clevel: a.clevel, Shuffle: blosc.ByteShuffle, Codec: blosc.BloscLZ}
	if a.flags["no_shuffle"] {
		o.Shuffle = blosc.NoShuffle
	}
	if c, ok := a.vals["cname"]; ok {
		o.Codec, _ = blosc.ParseCodec(c)
	}
	return o
}

// stdoutWriter hides io.WriterAt of os.Stdout, which may be a pipe.
type stdoutWriter struct{ w io.Writer }

func (s stdoutWriter) Write(p []byte) (int, error) { return s.w.Write(p) }

// spoolStdin copies stdin to a temporary file, so that its size is known
// and the file gets an offsets table like any other.
func spoolStdin(env *Env) (*os.File, error) {
	tmp, err := os.CreateTemp("", "blpk-stdin-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, env.Stdin); err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		return nil, err
	}
	return tmp, nil
}

const progressThreshold = 16 << 20

// blpkOpenInput opens compress's input ("-" spools stdin) and logs its
// size and chunking as pack_file_to_file and calculate_nchunks do.
func blpkOpenInput(env *Env, log *blpkLog, in string, chunkSize int64) (*os.File, int64, int, bool) {
	src, err := openBlpkInput(env, in)
	if err != nil {
		return nil, 0, log.error(1, "%v", err), false
	}
	st, err := src.Stat()
	if err != nil {
		src.Close()
		return nil, 0, log.error(1, "%v", err), false
	}
	size := st.Size()
	log.v("input file size: %s", bloscpack.DoublePrettySize(size))
	chunking, err := bloscpack.CalculateChunks(size, chunkSize)
	if err != nil {
		src.Close()
		return nil, 0, log.error(1, "%s", strings.TrimPrefix(err.Error(), bloscpack.ErrInvalidOptions.Error()+": ")), false
	}
	if size > 0 {
		if chunkSize > size {
			log.v("Input was smaller than the given 'chunk_size': %s using: %s", bloscpack.DoublePrettySize(chunkSize), bloscpack.DoublePrettySize(size))
		}
		log.v("nchunks: %d", chunking.NChunks)
		log.v("chunk_size: %s", bloscpack.DoublePrettySize(chunking.ChunkSize))
		log.v("last_chunk_size: %s", bloscpack.DoublePrettySize(chunking.LastChunk))
	}
	return src, size, 0, true
}

func blpkCompress(env *Env, log *blpkLog, a *blpkArgs) int {
	log.v("getting ready for compression")
	in := a.pos[0]
	out := in + bloscpack.Extension
	if len(a.pos) > 1 {
		out = a.pos[1]
	} else if in == "-" {
		out = "-"
	}
	if code, ok := checkFiles(log, in, out, a.force); !ok {
		return code
	}
	meta, code, ok := readMetadataArg(log, a)
	if !ok {
		return code
	}
	src, size, code, ok := blpkOpenInput(env, log, in, a.chunkSize)
	if !ok {
		return code
	}
	defer src.Close()
	o := bloscpack.DefaultOptions()
	o.Blosc = blpkBloscOptions(a)
	o.ChunkSize = max(a.chunkSize, 1)
	o.Workers = a.nthreads
	o.MaxAppChunks = a.maxApp
	if ck, ok := a.vals["checksum"]; ok {
		o.Checksum, _ = bloscpack.ParseChecksum(ck)
	}
	o.Offsets = !a.flags["no_offsets"]
	o.Metadata = meta
	dst, file, err := openBlpkOutput(out, a.flags["sync"], stdoutWriter{env.Stdout})
	if err != nil {
		return log.error(1, "%v", err)
	}
	defer file.release(false)
	counted := &countingWriter{w: dst}
	var w *bloscpack.Writer
	if file != nil {
		w, err = bloscpack.NewWriter(file.File, size, &o)
	} else {
		w, err = bloscpack.NewWriter(counted, size, &o)
	}
	if err != nil {
		return log.error(1, "%s", blpkErrText(err))
	}
	if a.debug {
		blpkDebugCompress(log, a, &o, w.Header(), size)
		blpkDebugChunks(log, w, o.Checksum)
	}
	bar := progress.New(env.Stderr, "blpk compress", size, env.IsTerminal(env.Stderr) && size >= progressThreshold)
	w.Progress = bar.Add
	if _, err := w.ReadFromAt(src, 0); err != nil {
		w.Close()
		return log.error(1, "%s", blpkErrText(err))
	}
	if err := w.Close(); err != nil {
		return log.error(1, "%s", blpkErrText(err))
	}
	bar.Finish()
	if a.debug && w.Header().Offsets {
		offs := w.Offsets()
		parts := make([]string, len(offs))
		raw := make([]byte, 0, 8*len(offs))
		for i, p := range offs {
			parts[i] = fmt.Sprint(p)
			raw = binary.LittleEndian.AppendUint64(raw, uint64(p))
		}
		log.normal("Writing '%d' offsets: '[%s]'", len(offs), strings.Join(parts, ", "))
		log.normal("Raw offsets: %s", bloscpack.PyBytesRepr(raw))
	}
	outSize := counted.n
	if file != nil {
		if st, err := file.Stat(); err == nil {
			outSize = st.Size()
		}
		if err := file.commit(); err != nil {
			return log.error(1, "%v", err)
		}
	}
	log.v("output file size: %s", bloscpack.DoublePrettySize(outSize))
	log.v("compression ratio: %s", pyFormatF(float64(size)/float64(outSize)))
	return 0
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// pyFormatF is Python's "%f".
func pyFormatF(f float64) string {
	switch {
	case f != f:
		return "nan"
	case f > 1e308:
		return "inf"
	}
	return fmt.Sprintf("%.6f", f)
}

// blpkErrText is the message bloscpack gives for an error, falling back to
// the Go error.
func blpkErrText(err error) string {
	var e *bloscpack.Error
	if errors.As(err, &e) && e.Msg != "" {
		return e.Msg
	}
	return err.Error()
}

// blpkErrDetail names where a file is damaged, on stderr, for the damage
// the original died on with a traceback (checksum mismatches, truncated
// or undecodable chunks); its clean messages stay alone.
func blpkErrDetail(env *Env, path string, err error) {
	var e *bloscpack.Error
	if errors.As(err, &e) && (errors.Is(err, bloscpack.ErrChecksumMismatch) || errors.Is(err, bloscpack.ErrTruncated) || strings.HasPrefix(e.Field, "chunk")) {
		where := e.Field
		if e.Offset >= 0 {
			where += fmt.Sprintf(" at offset %d", e.Offset)
		}
		fmt.Fprintf(env.Stderr, "blpk: %s: %s is damaged (%v)\n", path, where, e.Err)
	}
}

func blpkDecompress(env *Env, log *blpkLog, a *blpkArgs) int {
	log.v("getting ready for decompression")
	in := a.pos[0]
	out := ""
	if len(a.pos) > 1 {
		out = a.pos[1]
	}
	switch {
	case a.flags["no_check_extension"]:
		if out == "" {
			return log.error(1, "--no-check-extension requires use of <out_file>")
		}
	case in == "-":
		if out == "" {
			out = "-"
		}
	case strings.HasSuffix(in, bloscpack.Extension):
		if out == "" {
			out = in[:len(in)-len(bloscpack.Extension)]
		}
	default:
		return log.error(1, "input file '%s' does not end with '%s'", in, bloscpack.Extension)
	}
	if code, ok := checkFiles(log, in, out, a.force); !ok {
		return code
	}
	var src io.ReaderAt
	var size int64
	if in == "-" {
		b, err := io.ReadAll(env.Stdin)
		if err != nil {
			return log.error(1, "%v", err)
		}
		src, size = bytes.NewReader(b), int64(len(b))
	} else {
		f, err := os.Open(in)
		if err != nil {
			return log.error(1, "%v", err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return log.error(1, "%v", err)
		}
		src, size = f, st.Size()
	}
	log.v("input file size: %s", bloscpack.PrettySize(size))
	// Created first, as bloscpack does: a file it cannot read leaves an
	// empty output, a damaged one the chunks before the damage.
	dst, file, err := openBlpkOutput(out, a.flags["sync"], env.Stdout)
	if err != nil {
		return log.error(1, "%v", err)
	}
	defer file.release(true)
	r, err := bloscpack.NewReader(src, size)
	if err != nil {
		return blpkReadError(env, log, in, err)
	}
	r.Workers = a.nthreads
	if a.debug {
		blpkDebugDecompress(log, r)
	} else {
		blpkLogMetaRead(log, r)
	}
	total, _ := r.Size()
	bar := progress.New(env.Stderr, "blpk decompress", total, env.IsTerminal(env.Stderr) && total >= progressThreshold)
	var n int64
	if file != nil { // chunks written in parallel at their place
		r.Progress = bar.Add
		n, err = r.WriteAllTo(file.File)
	} else {
		n, err = r.WriteTo(bar.Writer(dst))
	}
	if err != nil {
		return blpkReadError(env, log, in, err)
	}
	bar.Finish()
	if file != nil {
		if err := file.commit(); err != nil {
			return log.error(1, "%v", err)
		}
	}
	log.v("output file size: %s", bloscpack.PrettySize(n))
	log.v("decompression ratio: %s", pyFormatF(float64(n)/float64(size)))
	if js := r.Metadata(); js != nil {
		if v, err := bloscpack.DecodeJSON(js); err == nil && pyTruthy(v) {
			log.normal("Metadata:")
			log.normal("%s", pyPformat(v, 90))
		}
	}
	return 0
}

// pyTruthy is Python's bool() of a JSON value.
func pyTruthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case *bloscpack.JSONObject:
		return len(v.Keys) > 0
	case bloscpack.JSONInt:
		return strings.Trim(string(v), "-0") != ""
	case float64:
		return v != 0
	}
	return true
}

// blpkReadError prints a read error the way bloscpack means to: its
// message (plus, for files that are not bloscpack files, its hint), and on
// stderr where the damage is.
func blpkReadError(env *Env, log *blpkLog, path string, err error) int {
	blpkErrDetail(env, path, err)
	var e *bloscpack.Error
	inChunk := errors.As(err, &e) && strings.HasPrefix(e.Field, "chunk")
	if !inChunk && (errors.Is(err, bloscpack.ErrFormat) || errors.Is(err, bloscpack.ErrTruncated)) {
		return log.error(1, "%s\nThis might not be a bloscpack compressed file.", blpkErrText(err))
	}
	return log.error(1, "%s", blpkErrText(err))
}

func blpkAppend(env *Env, log *blpkLog, a *blpkArgs) int {
	log.v("getting ready for append")
	orig, newFile := a.pos[0], a.pos[1]
	if !a.flags["no_check_extension"] && !strings.HasSuffix(orig, bloscpack.Extension) {
		return log.error(1, "original file '%s' does not end with '%s'", orig, bloscpack.Extension)
	}
	if !exists(orig) {
		return log.error(1, "original file '%s' does not exist!", orig)
	}
	if newFile != "-" && !exists(newFile) {
		return log.error(1, "new file '%s' does not exist!", newFile)
	}
	log.v("original file is: '%s'", orig)
	log.v("new file is: '%s'", newFile)
	meta, code, ok := readMetadataArg(log, a)
	if !ok {
		return code
	}
	src, err := openBlpkInput(env, newFile)
	if err != nil {
		return log.error(1, "%v", err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return log.error(1, "%v", err)
	}
	before, _ := os.Stat(orig)
	log.v("orig file size before append: %s", bloscpack.DoublePrettySize(before.Size()))
	log.v("new file size: %s", bloscpack.DoublePrettySize(st.Size()))
	f, err := openRW(orig)
	if err != nil {
		return log.error(1, "%v", err)
	}
	defer f.Close()
	logMetaRead := func() {
		if size, err := f.Size(); err == nil {
			if r, err := bloscpack.NewReader(f, size); err == nil {
				blpkLogMetaRead(log, r)
			}
		}
	}
	logMetaRead()
	res, err := bloscpack.Append(f, src, st.Size(), &bloscpack.AppendOptions{Blosc: blpkBloscOptions(a), Workers: a.nthreads})
	if err != nil {
		return blpkReadError(env, log, orig, err)
	}
	if c := res.Rest; c != nil { // calculate_nchunks's verbose lines
		log.v("nchunks: %d", c.NChunks)
		log.v("chunk_size: %s", bloscpack.DoublePrettySize(c.ChunkSize))
		log.v("last_chunk_size: %s", bloscpack.DoublePrettySize(c.LastChunk))
	}
	after, _ := f.Size()
	log.v("orig file size after append: %s", bloscpack.DoublePrettySize(after))
	if st.Size() > 0 {
		log.v("Approximate compression ratio of appended data: %s", pyFormatF(float64(after-before.Size())/float64(st.Size())))
	}
	if meta != nil {
		logMetaRead()
		if err := bloscpack.RewriteMetadata(f, meta); err != nil {
			return blpkReadError(env, log, orig, err)
		}
	}
	return 0
}

func blpkInfo(env *Env, log *blpkLog, path string) int {
	if !exists(path) {
		return log.error(1, "file '%s' does not exist!", path)
	}
	f, err := bloscpack.Open(path)
	if err != nil {
		return blpkReadError(env, log, path, err)
	}
	defer f.Close()
	bh, err := f.FirstChunkHeader()
	if err != nil {
		return blpkReadError(env, log, path, err)
	}
	if log.debug {
		blpkDebugBeginning(log, f.Reader)
		blpkDebugBloscHeader(log, bh[:])
	}
	h := f.Header()
	log.normal("%s", blpkHeaderText(h))
	if offs := f.Offsets(); len(offs) > 0 {
		log.normal("'offsets':")
		parts := make([]string, 0, 5)
		for _, o := range offs[:min(5, len(offs))] {
			parts = append(parts, fmt.Sprint(o))
		}
		log.normal("[%s,...]", strings.Join(parts, ","))
	}
	if mh := f.MetaHeader(); mh != nil {
		v, _ := bloscpack.DecodeJSON(f.Metadata())
		log.normal("Metadata:")
		log.normal("%s", pyPformat(v, 90))
		log.normal("%s", blpkMetaHeaderText(mh))
	}
	flags := bh[2]
	log.normal("First chunk blosc header:")
	log.normal("OrderedDict([('version', %d), ('versionlz', %d), ('flags', %d), ('typesize', %d), ('nbytes', %d), ('blocksize', %d), ('ctbytes', %d)])",
		bh[0], bh[1], flags, bh[3], binary.LittleEndian.Uint32(bh[4:]), binary.LittleEndian.Uint32(bh[8:]), binary.LittleEndian.Uint32(bh[12:]))
	log.normal("First chunk blosc flags: ")
	codecs := []string{"blosclz", "lz4", "snappy", "zlib", "zstd"}
	codec := fmt.Sprintf("unknown codec %d", flags>>5)
	if int(flags>>5) < len(codecs) {
		codec = codecs[flags>>5]
	}
	log.normal("OrderedDict([('byte_shuffle', %s), ('pure_memcpy', %s), ('bit_shuffle', %s), ('split_blocks', %s), ('codec', '%s')])",
		pyBool(flags&1 != 0), pyBool(flags&2 != 0), pyBool(flags&4 != 0), pyBool(flags&0x10 != 0), codec)
	return 0
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func blpkVerify(env *Env, log *blpkLog, a *blpkArgs) int {
	path := a.pos[0]
	if !exists(path) {
		return log.error(1, "file '%s' does not exist!", path)
	}
	f, err := bloscpack.Open(path)
	if err != nil {
		return blpkReadError(env, log, path, err)
	}
	defer f.Close()
	f.Workers = a.nthreads
	res, err := f.Verify()
	if err != nil {
		return blpkReadError(env, log, path, err)
	}
	chunks := "chunks"
	if res.Chunks == 1 {
		chunks = "chunk"
	}
	digests := fmt.Sprintf("every %s digest matches", f.Header().Checksum)
	if f.Header().Checksum == bloscpack.None {
		digests = "no digests to check"
	}
	log.normal("%s: OK, %d %s, %s decoded, %s", path, res.Chunks, chunks, bloscpack.DoublePrettySize(res.Decoded), digests)
	if res.Trailing > 0 {
		log.normal("%s: %d stale bytes after the last chunk (left by an append)", path, res.Trailing)
	}
	return 0
}

// blpkLogMetaRead is _read_metadata's verbose line.
func blpkLogMetaRead(log *blpkLog, r *bloscpack.Reader) {
	if mh := r.MetaHeader(); mh != nil {
		kind := "uncompressed"
		if mh.Codec != bloscpack.MetaNone {
			kind = "compressed"
		}
		log.v("read %s metadata of size: '%d'", kind, mh.CompSize)
	}
}

func bytesAttr(n int64) string {
	if n == -1 {
		return "-1"
	}
	return bloscpack.DoublePrettySize(n)
}

// blpkHeaderText is BloscpackHeader.pformat().
func blpkHeaderText(h bloscpack.Header) string {
	var b strings.Builder
	fmt.Fprintf(&b, "BloscpackHeader:\n    format_version: %d\n    offsets: %s\n    metadata: %s\n", h.FormatVersion, pyBool(h.Offsets), pyBool(h.Metadata))
	fmt.Fprintf(&b, "    checksum: '%s'\n    typesize: %d\n    chunk_size: %s\n    last_chunk: %s\n", h.Checksum, h.Typesize, bytesAttr(h.ChunkSize), bytesAttr(h.LastChunk))
	fmt.Fprintf(&b, "    nchunks: %d\n    max_app_chunks: %d", h.NChunks, h.MaxAppChunks)
	return b.String()
}

// blpkMetaHeaderText is MetadataHeader.pformat().
func blpkMetaHeaderText(mh *bloscpack.MetaHeader) string {
	var b strings.Builder
	fmt.Fprintf(&b, "MetadataHeader:\n    magic_format: %s\n    meta_options: '%08b'\n    meta_checksum: '%s'\n", bloscpack.PyBytesRepr([]byte(mh.MagicFormat)), mh.Options, mh.Checksum)
	fmt.Fprintf(&b, "    meta_codec: '%s'\n    meta_level: %d\n    meta_size: %s\n", mh.Codec, mh.Level, bytesAttr(int64(mh.Size)))
	fmt.Fprintf(&b, "    max_meta_size: %s\n    meta_comp_size: %s\n    user_codec: %s", bytesAttr(int64(mh.MaxSize)), bytesAttr(int64(mh.CompSize)), bloscpack.PyBytesRepr([]byte(mh.UserCodec)))
	return b.String()
}

// openBlpkInput opens an input file, or spools stdin for "-" so that the
// input has a size and can be read at any offset.
func openBlpkInput(env *Env, name string) (*os.File, error) {
	if name == "-" {
		return spoolStdin(env)
	}
	return os.Open(name)
}
