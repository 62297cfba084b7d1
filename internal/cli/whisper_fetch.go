package cli

import (
	"bufio"
	"strconv"

	"ringvault/internal/pyfmt"
	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

func init() {
	registerWhisper(&whisperTool{Name: "fetch", Peer: "whisper-fetch", Summary: "print the values of a time range", Run: whisperFetch})
}

func whisperFetch(c *wctx, args []string) int {
	now := c.env.Now().Unix()
	p := c.parser("%prog [options] path", "", []*pyopt.Option{
		{Long: "--from", Type: pyopt.Int, Dest: "_from", Help: "Unix epoch time of the beginning of your requested interval (default: 24 hours ago)"},
		{Long: "--until", Type: pyopt.Int, Help: "Unix epoch time of the end of your requested interval (default: now)"},
		{Long: "--json", Action: pyopt.StoreTrue, Default: false, Help: "Output results in JSON form"},
		{Long: "--pretty", Action: pyopt.StoreTrue, Default: false, Help: "Show human-readable timestamps instead of unix times"},
		{Short: "-t", Long: "--time-format", Dest: "time_format", Help: "Time format to use with --pretty; see time.strftime()"},
		{Long: "--drop", Type: pyopt.Choice, Choices: []string{"zeroes", "nulls", "empty"}, Help: "Specify 'nulls' to drop all null values. Specify 'zeroes' to drop all zero values. Specify 'empty' to drop both null and zero values"},
	}, []*pyopt.Option{nowOption()})
	vals, args, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	if len(args) != 1 {
		return c.exit(p.HelpExit(1))
	}
	now = c.now(vals)
	from, ok := vals.Int("_from")
	if !ok {
		from = now - 86400
	}
	until, ok := vals.Int("until")
	if !ok {
		until = now
	}
	w, err := whisper.Open(args[0], &whisper.OpenOptions{ReadOnly: true})
	if err != nil {
		return c.failErr(err)
	}
	s, err := w.Fetch(from, until, now, nil)
	w.Close()
	if err != nil {
		return c.failErr(err)
	}
	if s == nil {
		return c.fail("No data in selected timerange")
	}
	keep := func(i int) bool { return true }
	switch d, _ := vals.String("drop"); d {
	case "nulls":
		keep = func(i int) bool { return s.Known[i] }
	case "zeroes":
		keep = func(i int) bool { return !s.Known[i] || s.Values[i] != 0 }
	case "empty":
		keep = func(i int) bool { return s.Known[i] && s.Values[i] != 0 }
	}
	out := bufio.NewWriterSize(c.env.Stdout, 64*1024)
	defer out.Flush()
	if vals.Bool("json") {
		writeFetchJSON(out, s, keep)
		return 0
	}
	tf, _ := vals.String("time_format")
	writeFetchText(out, s, keep, vals.Bool("pretty"), tf)
	return 0
}

// writeFetchJSON is whisper-fetch --json: python prints str(list) with None
// replaced by null, so NaN and infinities come out as nan/inf, which is not
// JSON. Kept for byte compatibility.
func writeFetchJSON(out *bufio.Writer, s *whisper.Series, keep func(int) bool) {
	buf := []byte("{\n    \"start\" : ")
	buf = strconv.AppendInt(buf, s.From, 10)
	buf = append(buf, ",\n    \"end\" : "...)
	buf = strconv.AppendInt(buf, s.Until, 10)
	buf = append(buf, ",\n    \"step\" : "...)
	buf = strconv.AppendInt(buf, s.Step, 10)
	buf = append(buf, ",\n    \"values\" : ["...)
	first := true
	for i := range s.Values {
		if !keep(i) {
			continue
		}
		if !first {
			buf = append(buf, ", "...)
		}
		first = false
		if s.Known[i] {
			buf = pyfmt.AppendFloatRepr(buf, s.Values[i])
		} else {
			buf = append(buf, "null"...)
		}
	}
	buf = append(buf, "]\n  }\n"...)
	out.Write(buf)
}

// writeFetchText is whisper-fetch's "%s\t%s" lines; a dropped value still
// advances the timestamp (master's fix of the 1.1.4 --drop bug).
func writeFetchText(out *bufio.Writer, s *whisper.Series, keep func(int) bool, pretty bool, tf string) {
	t := s.From
	var line []byte
	for i := range s.Values {
		if keep(i) {
			line = line[:0]
			switch {
			case pretty && tf != "":
				line = append(line, strftime(tf, t)...)
			case pretty:
				line = append(line, ctime(t)...)
			default:
				line = strconv.AppendInt(line, t, 10)
			}
			line = append(line, '\t')
			if s.Known[i] {
				line = pyfmt.AppendF(line, s.Values[i], 6)
			} else {
				line = append(line, "None"...)
			}
			line = append(line, '\n')
			out.Write(line)
		}
		t += s.Step
	}
}
