package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"ringvault/pinglog"
	"ringvault/storage"
)

func init() {
	Register(&Tool{Name: "pinglog", Summary: "inspect, dump, convert and export PING latency logs (v2, v3, v4)", Run: pinglogMain})
}

const pinglogUsage = `usage: ringvault pinglog COMMAND [options] FILE...

Commands:
  info FILE                    print the header and a summary of the records
  dump [--format F] FILE       print the records (F: text (default), csv, json)
  convert --to V SRC DST       rewrite SRC as version V (2, 3 or 4) into DST
  resize --max-records N FILE  change a version-3 log's capacity (keeps the newest N)
  check FILE                   verify every record (exit 1 on damage)
  export --retention DEFS SRC DST.wsp
                               write latencies into a new whisper file

PING logs are the files of jamesbtate/ping-server: version 2 (prototype),
version 3 (24-byte header, ring of 6-byte records) and ringvault's version 4
(compressed, checksummed blocks; docs/format/pinglog.md).
Run 'ringvault pinglog COMMAND --help' for a command's options.
`

func pinglogMain(env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		w := env.Stderr
		code := 2
		if len(args) > 0 {
			w, code = env.Stdout, 0
		}
		fmt.Fprint(w, pinglogUsage)
		return code
	}
	cmds := map[string]func(*Env, []string) int{
		"info": pinglogInfo, "dump": pinglogDump, "convert": pinglogConvert,
		"resize": pinglogResize, "export": pinglogExport, "check": pinglogCheck,
	}
	run, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "ringvault pinglog: unknown command %q\n%s", args[0], pinglogUsage)
		return 2
	}
	return run(env, args[1:])
}

// pinglogFlags returns a FlagSet that prints usage and errors to stderr.
func pinglogFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("ringvault pinglog "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: ringvault pinglog %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// pingParseFlags parses and checks the number of positional arguments; code
// is -1 when the command should go on.
func pingParseFlags(env *Env, fs *flag.FlagSet, args []string, nargs int) (rest []string, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(env.Stdout)
			fs.Usage()
			return nil, 0
		}
		return nil, 2
	}
	if fs.NArg() != nargs {
		fmt.Fprintf(env.Stderr, "%s: want %d file argument(s), got %d\n", fs.Name(), nargs, fs.NArg())
		fs.Usage()
		return nil, 2
	}
	return fs.Args(), -1
}

// pingFile is an opened log of any version.
type pingFile struct {
	path    string
	version int
	v2      *pinglog.V2
	v3      *pinglog.Log3
	v4      *pinglog.Log4
	size    int64
}

func openPingFile(path string) (*pingFile, error) {
	f, err := storage.Open(path)
	if err != nil {
		return nil, err
	}
	pf := &pingFile{path: path}
	if pf.size, err = f.Size(); err != nil {
		f.Close()
		return nil, err
	}
	head := make([]byte, min(pf.size, 5))
	if err := storage.ReadFull(f, head, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if pf.version, err = pinglog.Version(head); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	switch pf.version {
	case 2:
		data := make([]byte, pf.size)
		err = storage.ReadFull(f, data, 0)
		f.Close()
		if err == nil {
			pf.v2, err = pinglog.DecodeV2(data)
		}
	case 3:
		pf.v3, err = pinglog.Open3(f, &pinglog.Options3{ReadOnly: true})
	case 4:
		pf.v4, err = pinglog.Open4(f, &pinglog.Options4{ReadOnly: true})
	default:
		err = fmt.Errorf("%w: version byte %d (this tool reads 2, 3 and 4)", pinglog.ErrVersion, pf.version)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pf, nil
}

func (pf *pingFile) Close() error {
	switch {
	case pf.v3 != nil:
		return pf.v3.Close()
	case pf.v4 != nil:
		return pf.v4.Close()
	}
	return nil
}

// width is the legacy latency width (0 for a native version-4 log).
func (pf *pingFile) width() int {
	switch {
	case pf.v2 != nil:
		return pf.v2.DataLength()
	case pf.v3 != nil:
		return int(pf.v3.Header().DataLength)
	}
	return int(pf.v4.Header().LegacyWidth)
}

// legacyRecords returns version 2/3 records (chronological for v3, file
// order for v2).
func (pf *pingFile) legacyRecords() ([]pinglog.Record, error) {
	if pf.v2 != nil {
		return pf.v2.Records, nil
	}
	return pf.v3.Records()
}

// records4 returns every record as version-4 records.
func (pf *pingFile) records4() ([]pinglog.Record4, error) {
	if pf.v4 != nil {
		return pf.v4.Records()
	}
	recs, err := pf.legacyRecords()
	if err != nil {
		return nil, err
	}
	return pinglog.FromLegacy(recs, pf.width()), nil
}

func pingFail(env *Env, err error) int {
	fmt.Fprintf(env.Stderr, "ringvault pinglog: %v\n", err)
	return 1
}

func pinglogInfo(env *Env, args []string) int {
	fs := pinglogFlags(env, "info", "FILE")
	rest, code := pingParseFlags(env, fs, args, 1)
	if code >= 0 {
		return code
	}
	pf, err := openPingFile(rest[0])
	if err != nil {
		return pingFail(env, err)
	}
	defer pf.Close()
	w := env.Stdout
	fmt.Fprintf(w, "file: %s\nfile_size: %d\nversion: %d\n", pf.path, pf.size, pf.version)
	switch {
	case pf.v2 != nil:
		fmt.Fprintf(w, "struct_format: %s\nrecord_size: %d\nnumber_of_records: %d\n",
			pf.v2.Format, 4+pf.v2.DataLength(), len(pf.v2.Records))
	case pf.v3 != nil:
		h := pf.v3.Header()
		fmt.Fprintf(w, "data_length: %d\noffset: %d\nnumber_of_records: %d\nrecord_size: %d\nrolled_over: %v\n",
			h.DataLength, h.Offset, h.NumberOfRecords, 4+int(h.DataLength), h.Offset != 24)
	default:
		h, s := pf.v4.Header(), pf.v4.Stats()
		fmt.Fprintf(w, "byte_order: %c\nblock_size: %d\ncapacity_blocks: %d\nmax_records_per_block: %d\n",
			h.ByteOrder, h.BlockSize, h.Capacity, h.MaxPerBlock)
		fmt.Fprintf(w, "interval: %d\ntime_unit: %s\nlatency_unit: %s\nscale: %v\nlegacy_width: %d\ncreated: %d\nsource: %s\ntarget: %s\n",
			h.Interval, pingUnitName(h.TimeUnit), pingUnitName(h.LatencyUnit), h.Scale, h.LegacyWidth, h.Created, h.Source, h.Target)
		fmt.Fprintf(w, "blocks: %d (seq %d..%d, newest unfinished: %v)\nnumber_of_records: %d\nlost: %d\nblock_bytes: %d (%.3f B/record)\n",
			s.Blocks, s.FirstSeq, s.LastSeq, s.Unfinished, s.Records, s.Lost, s.BlockBytes, s.RecordBytes)
		if s.Records > 0 {
			fmt.Fprintf(w, "first_time: %d\nlast_time: %d\n", s.MinTime, s.MaxTime)
		}
		return 0
	}
	recs, err := pf.legacyRecords()
	if err != nil {
		return pingFail(env, err)
	}
	if len(recs) > 0 {
		fmt.Fprintf(w, "first_time: %d\nlast_time: %d\n", recs[0].Time, recs[len(recs)-1].Time)
	}
	return 0
}

func pingUnitName(u uint8) string {
	switch u {
	case pinglog.UnitSeconds:
		return "s"
	case pinglog.UnitMilliseconds:
		return "ms"
	case pinglog.UnitMicroseconds:
		return "us"
	case pinglog.UnitNanoseconds:
		return "ns"
	}
	return fmt.Sprintf("1e-%d s", u)
}

// pingCreateOutput opens DST's temporary sibling for writing; commit renames
// it over DST (fsync, rename, fsync dir) so DST is never half written.
func pingCreateOutput(dst string) (*storage.OSFile, func() error, error) {
	tmp := dst + ".tmp"
	f, err := storage.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, nil, err
	}
	commit := func() error {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		return storage.ReplaceFile(tmp, dst)
	}
	return f, commit, nil
}

// pingSplit splits a comma-separated flag value.
func pingSplit(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
