package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"ringvault/pinglog"
	"ringvault/storage"
	"ringvault/whisper"
)

func pinglogDump(env *Env, args []string) int {
	fs := pinglogFlags(env, "dump", "[--format text|csv|json] FILE")
	format := fs.String("format", "text", "output `format`: text, csv or json (json: the header fields and records as [timestamp, value], value null for a lost v4 probe)")
	rest, code := pingParseFlags(env, fs, args, 1)
	if code >= 0 {
		return code
	}
	if *format != "text" && *format != "csv" && *format != "json" {
		fmt.Fprintf(env.Stderr, "ringvault pinglog dump: --format %q, want text, csv or json\n", *format)
		return 2
	}
	pf, err := openPingFile(rest[0])
	if err != nil {
		return pingFail(env, err)
	}
	defer pf.Close()
	var rows [][2]any         // timestamp, value (nil for lost)
	var timeouts map[int]bool // rows of v4 losses that were timeouts
	if pf.v4 != nil {
		recs, err := pf.v4.Records()
		if err != nil {
			return pingFail(env, err)
		}
		for _, r := range recs {
			if r.Lost {
				if r.Timeout {
					if timeouts == nil {
						timeouts = map[int]bool{}
					}
					timeouts[len(rows)] = true
				}
				rows = append(rows, [2]any{r.Time, nil})
			} else {
				rows = append(rows, [2]any{r.Time, pingJSONFloat(r.Value)})
			}
		}
	} else {
		recs, err := pf.legacyRecords()
		if err != nil {
			return pingFail(env, err)
		}
		for _, r := range recs {
			rows = append(rows, [2]any{int64(r.Time), r.Value})
		}
	}
	w := bufio.NewWriter(env.Stdout)
	switch *format {
	case "json":
		err = pingDumpJSON(w, pf, rows)
	case "csv":
		fmt.Fprintln(w, "timestamp,value")
		for _, r := range rows {
			fmt.Fprintf(w, "%d,%s\n", r[0], pingCell(r[1], ""))
		}
	default:
		for i, r := range rows {
			lost := "lost"
			if timeouts[i] {
				lost = "timeout"
			}
			fmt.Fprintf(w, "%d %s\n", r[0], pingCell(r[1], lost))
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return pingFail(env, err)
	}
	return 0
}

// pingJSONFloat keeps a float JSON can carry, or the shared test data's
// spelling of the ones it cannot.
func pingJSONFloat(v float64) any {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return v
}

func pingCell(v any, lost string) string {
	switch x := v.(type) {
	case nil:
		return lost
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

func pingDumpJSON(w *bufio.Writer, pf *pingFile, rows [][2]any) error {
	out := map[string]any{"version": pf.version, "records": rows}
	if rows == nil {
		out["records"] = [][2]any{}
	}
	switch {
	case pf.v2 != nil:
		out["struct_format"] = pf.v2.Format
		out["number_of_records"] = len(pf.v2.Records)
	case pf.v3 != nil:
		h := pf.v3.Header()
		out["data_length"], out["offset"], out["number_of_records"] = h.DataLength, h.Offset, h.NumberOfRecords
	default:
		h := pf.v4.Header()
		for k, v := range map[string]any{
			"byte_order": string(rune(h.ByteOrder)), "block_size": h.BlockSize, "capacity_blocks": h.Capacity,
			"max_records_per_block": h.MaxPerBlock, "interval": h.Interval, "time_unit": pingUnitName(h.TimeUnit),
			"latency_unit": pingUnitName(h.LatencyUnit), "scale": h.Scale, "legacy_width": h.LegacyWidth,
			"created": h.Created, "source": h.Source, "target": h.Target, "number_of_records": len(rows),
		} {
			out[k] = v
		}
	}
	b, err := json.Marshal(out) // keys sorted: stable output
	if err != nil {
		return err
	}
	w.Write(b)
	return w.WriteByte('\n')
}

func pinglogConvert(env *Env, args []string) int {
	fs := pinglogFlags(env, "convert", "--to 2|3|4 [options] SRC DST")
	to := fs.Int("to", 4, "target `version`: 2, 3 or 4")
	maxRecords := fs.Uint64("max-records", 0, "capacity of the new log in records (default: the records SRC holds)")
	blockSize := fs.Uint("block-size", 16384, "version 4: bytes per block")
	perBlock := fs.Uint("records-per-block", 4096, "version 4: most records per block")
	source := fs.String("source", "", "version 4: series source name")
	target := fs.String("target", "", "version 4: series target name")
	rest, code := pingParseFlags(env, fs, args, 2)
	if code >= 0 {
		return code
	}
	pf, err := openPingFile(rest[0])
	if err != nil {
		return pingFail(env, err)
	}
	defer pf.Close()
	out, commit, err := pingCreateOutput(rest[1])
	if err != nil {
		return pingFail(env, err)
	}
	if err := pingConvertTo(env, pf, out, *to, *maxRecords, uint32(*blockSize), uint32(*perBlock), *source, *target); err != nil {
		out.Close()
		return pingFail(env, fmt.Errorf("%s -> %s: %w", rest[0], rest[1], err))
	}
	if err := commit(); err != nil {
		return pingFail(env, err)
	}
	return 0
}

func pingConvertTo(env *Env, pf *pingFile, out storage.File, to int, maxRecords uint64, bs, per uint32, source, target string) error {
	width := pf.width()
	recs4, err := pf.records4()
	if err != nil {
		return err
	}
	if maxRecords == 0 {
		maxRecords = uint64(max(len(recs4), 1))
	}
	switch to {
	case 4:
		h := pinglog.LegacyHeader4(width, maxRecords, env.Now().Unix())
		if pf.v4 != nil {
			h = pf.v4.Header()
		}
		h.BlockSize, h.MaxPerBlock = bs, per
		h.Capacity = uint32(max((maxRecords+uint64(per)-1)/uint64(per)+1, 2))
		if source != "" {
			h.Source = source
		}
		if target != "" {
			h.Target = target
		}
		l, err := pinglog.Create4(out, h)
		if err != nil {
			return err
		}
		for _, r := range recs4 {
			if err := l.Append(r); err != nil {
				return err
			}
		}
		return l.Flush()
	case 2, 3:
		if width == 0 {
			width = 2
		}
		h := pinglog.Header4{TimeUnit: pinglog.UnitSeconds, LegacyWidth: uint8(width)}
		if pf.v4 != nil {
			h = pf.v4.Header()
		}
		recs, err := pinglog.ToLegacy(h, recs4, width)
		if err != nil {
			return err
		}
		if to == 2 {
			format := map[int]string{1: "IB", 2: "IH"}[width]
			b, err := pinglog.AppendV2(nil, format, recs)
			if err != nil {
				return err
			}
			_, err = out.WriteAt(b, 0)
			return err
		}
		if uint64(len(recs)) > maxRecords {
			recs = recs[uint64(len(recs))-maxRecords:]
		}
		l, err := pinglog.Create3(out, &pinglog.Options3{DataLength: width, MaxRecords: maxRecords})
		if err != nil {
			return err
		}
		return l.WriteAll(recs)
	}
	return fmt.Errorf("%w: --to %d, want 2, 3 or 4", pinglog.ErrVersion, to)
}

func pinglogResize(env *Env, args []string) int {
	fs := pinglogFlags(env, "resize", "--max-records N FILE")
	n := fs.Uint64("max-records", 0, "new capacity in records (required); the newest N records are kept")
	rest, code := pingParseFlags(env, fs, args, 1)
	if code >= 0 {
		return code
	}
	if *n == 0 {
		fmt.Fprintln(env.Stderr, "ringvault pinglog resize: --max-records N is required")
		return 2
	}
	pf, err := openPingFile(rest[0])
	if err != nil {
		return pingFail(env, err)
	}
	defer pf.Close()
	if pf.v3 == nil {
		return pingFail(env, fmt.Errorf("%s: resize works on version 3 logs; convert a version %d log with --max-records", rest[0], pf.version))
	}
	out, commit, err := pingCreateOutput(rest[0])
	if err != nil {
		return pingFail(env, err)
	}
	if err := pingConvertTo(env, pf, out, 3, *n, 0, 0, "", ""); err != nil {
		out.Close()
		return pingFail(env, err)
	}
	if err := commit(); err != nil {
		return pingFail(env, err)
	}
	return 0
}

func pinglogExport(env *Env, args []string) int {
	fs := pinglogFlags(env, "export", "--retention DEF[,DEF...] [options] SRC DST.wsp")
	retention := fs.String("retention", "", "whisper retention definitions, e.g. 1s:1d,1m:30d (required)")
	agg := fs.String("aggregation", "average", "whisper aggregation method: average, sum, last, max, min, avg_zero, absmax, absmin")
	xff := fs.Float64("xff", 0.5, "whisper xFilesFactor")
	value := fs.String("value", "ms", "what to store: ms (latency in milliseconds) or raw (the stored value)")
	nowFlag := fs.Int64("now", 0, "the current time for whisper, Unix seconds (default: now)")
	rest, code := pingParseFlags(env, fs, args, 2)
	if code >= 0 {
		return code
	}
	if *retention == "" || (*value != "ms" && *value != "raw") {
		fmt.Fprintln(env.Stderr, "ringvault pinglog export: --retention is required and --value must be ms or raw")
		return 2
	}
	var specs []whisper.ArchiveSpec
	for _, def := range pingSplit(*retention) {
		s, err := whisper.ParseRetentionDef(def)
		if err != nil {
			return pingFail(env, err)
		}
		specs = append(specs, s)
	}
	m, err := whisper.ParseAggregationMethod(*agg)
	if err != nil {
		return pingFail(env, err)
	}
	pf, err := openPingFile(rest[0])
	if err != nil {
		return pingFail(env, err)
	}
	defer pf.Close()
	points, err := pingExportPoints(pf, *value == "raw")
	if err != nil {
		return pingFail(env, err)
	}
	now := *nowFlag
	if now == 0 {
		now = env.Now().Unix()
	}
	if err := whisper.Create(rest[1], specs, &whisper.CreateOptions{XFilesFactor: xff, AggregationMethod: m}); err != nil {
		return pingFail(env, err)
	}
	w, err := whisper.Open(rest[1], nil)
	if err != nil {
		return pingFail(env, err)
	}
	if err := w.UpdateMany(points, now); err != nil {
		w.Close()
		return pingFail(env, err)
	}
	if err := w.Close(); err != nil {
		return pingFail(env, err)
	}
	fmt.Fprintf(env.Stdout, "exported %d points (lost probes skipped) into %s\n", len(points), rest[1])
	return 0
}

// pingExportPoints turns the records into whisper points: lost probes are
// left out (whisper's unknown), values in milliseconds unless raw.
func pingExportPoints(pf *pingFile, raw bool) ([]whisper.Point, error) {
	recs, err := pf.records4()
	if err != nil {
		return nil, err
	}
	toMs := 1.0
	if pf.v4 != nil {
		h := pf.v4.Header()
		if h.TimeUnit != pinglog.UnitSeconds {
			return nil, fmt.Errorf("%s: whisper stores seconds; this log's times are in %s", pf.path, pingUnitName(h.TimeUnit))
		}
		toMs = h.Scale * math.Pow10(3-int(h.LatencyUnit))
	} else if pf.width() == 2 {
		toMs = 1000.0 / 65534
	}
	points := make([]whisper.Point, 0, len(recs))
	for _, r := range recs {
		if r.Lost {
			continue
		}
		v := r.Value
		if !raw {
			v *= toMs
		}
		points = append(points, whisper.Point{Timestamp: r.Time, Value: v})
	}
	return points, nil
}

func pinglogCheck(env *Env, args []string) int {
	fs := pinglogFlags(env, "check", "FILE")
	rest, code := pingParseFlags(env, fs, args, 1)
	if code >= 0 {
		return code
	}
	pf, err := openPingFile(rest[0])
	if err != nil {
		return pingFail(env, err) // header damage: named by the error
	}
	defer pf.Close()
	rep := &pinglog.CheckReport{}
	switch {
	case pf.v2 != nil:
		rep.Records = len(pf.v2.Records)
	case pf.v3 != nil:
		rep, err = pf.v3.Check()
	default:
		rep, err = pf.v4.Check()
	}
	if err != nil {
		return pingFail(env, err)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(env.Stdout, "%s: warning: %s\n", rest[0], w)
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(env.Stdout, "%s: error: %s\n", rest[0], e)
	}
	if !rep.OK() {
		fmt.Fprintf(env.Stdout, "%s: DAMAGED, %d errors (%d records readable)\n", rest[0], len(rep.Errors), rep.Records)
		return 1
	}
	fmt.Fprintf(env.Stdout, "%s: ok, version %d, %d records\n", rest[0], pf.version, rep.Records)
	return 0
}
