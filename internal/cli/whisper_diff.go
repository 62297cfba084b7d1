package cli

import (
	"bufio"
	"fmt"
	"math"
	"strconv"
	"strings"

	"ringvault/internal/pyfmt"
	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

func init() {
	registerWhisper(&whisperTool{Name: "diff", Peer: "whisper-diff", Summary: "compare two files of the same layout", Run: whisperDiff})
}

func whisperDiff(c *wctx, args []string) int {
	p := c.parser("%prog [options] path_a path_b", "", []*pyopt.Option{
		{Long: "--summary", Action: pyopt.StoreTrue, Default: false, Help: "show summary of differences"},
		{Long: "--ignore-empty", Action: pyopt.StoreTrue, Default: false, Help: "skip comparison if either value is undefined"},
		{Long: "--columns", Action: pyopt.StoreTrue, Default: false, Help: "print output in simple columns"},
		{Long: "--no-headers", Action: pyopt.StoreTrue, Default: false, Help: "do not print column headers"},
		{Long: "--until", Type: pyopt.Int, Help: "Unix epoch time of the end of your requested interval (default: None)"},
		{Long: "--json", Action: pyopt.StoreTrue, Default: false, Help: "Output results in JSON form"},
	}, []*pyopt.Option{nowOption()})
	vals, args, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	if len(args) != 2 {
		return c.exit(p.HelpExit(1))
	}
	now := c.now(vals)
	until, _ := vals.Int("until") // 0 and None both mean now, as in python
	if until == 0 {
		until = now
	}
	pathA, pathB := args[0], args[1]
	a, err := whisper.Open(pathA, &whisper.OpenOptions{ReadOnly: true})
	if err != nil {
		return c.failErr(err)
	}
	defer a.Close()
	b, err := whisper.Open(pathB, &whisper.OpenOptions{ReadOnly: true})
	if err != nil {
		return c.failErr(err)
	}
	defer b.Close()
	diffs, err := whisper.Diff(a, b, vals.Bool("ignore_empty"), until, now)
	if err != nil {
		return c.failErr(err)
	}
	out := bufio.NewWriter(c.env.Stdout)
	defer out.Flush()
	pretty, headers := !vals.Bool("columns"), !vals.Bool("no_headers")
	switch {
	case vals.Bool("summary") && vals.Bool("json"):
		out.WriteString(diffJSON(diffs, pathA, pathB, false))
	case vals.Bool("summary"):
		f := "%s %s %s\n"
		if pretty {
			f = "%7s %9s %9s\n"
		}
		if headers {
			fmt.Fprintf(out, f, "archive", "total", "differing")
		}
		for _, d := range diffs {
			fmt.Fprintf(out, f, strconv.Itoa(d.Index), strconv.Itoa(d.Total), strconv.Itoa(len(d.Points)))
		}
	case vals.Bool("json"):
		out.WriteString(diffJSON(diffs, pathA, pathB, true))
	default:
		h, f := "%s %s %s %s\n", "%s %d %s %s\n"
		if pretty {
			h, f = "%7s %11s %13s %13s\n", "%7s %11d %13s %13s\n"
		}
		if headers {
			fmt.Fprintf(out, h, "archive", "timestamp", "value_a", "value_b")
		}
		for _, d := range diffs {
			if pretty {
				fmt.Fprintf(out, "Archive %d (%d of %d datapoints differ)\n", d.Index, len(d.Points), d.Total)
				fmt.Fprintf(out, h, "", "timestamp", "value_a", "value_b")
			}
			for _, pt := range d.Points {
				col := ""
				if !pretty {
					col = strconv.Itoa(d.Index)
				}
				fmt.Fprintf(out, f, col, pt.Timestamp, pyOptFloat(pt.A, pt.AKnown), pyOptFloat(pt.B, pt.BKnown))
			}
		}
	}
	return 0
}

// pyOptFloat is str() of a python float or None.
func pyOptFloat(v float64, known bool) string {
	if !known {
		return "None"
	}
	return pyfmt.FloatRepr(v)
}

// jsonFloat is json.dumps of a python float or None.
func jsonFloat(v float64, known bool) string {
	switch {
	case !known:
		return "null"
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	return pyfmt.FloatRepr(v)
}

// diffJSON is whisper-diff's json.dumps(..., sort_keys=True, indent=2,
// separators=(',', ' : ')).
func diffJSON(diffs []whisper.DiffArchive, pathA, pathB string, points bool) string {
	var b strings.Builder
	b.WriteString("{\n  \"archives\" : [")
	for i, d := range diffs {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    {\n      \"archive\" : " + strconv.Itoa(d.Index) + ",\n")
		if points {
			b.WriteString("      \"datapoint\" : [")
			for j, pt := range d.Points {
				if j > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, "\n        {\n          \"timestamp\" : %d,\n          \"value_a\" : %s,\n          \"value_b\" : %s\n        }",
					pt.Timestamp, jsonFloat(pt.A, pt.AKnown), jsonFloat(pt.B, pt.BKnown))
			}
			if len(d.Points) > 0 {
				b.WriteString("\n      ")
			}
			b.WriteString("],\n")
		}
		fmt.Fprintf(&b, "      \"points\" : %d,\n      \"total\" : %d\n    }", len(d.Points), d.Total)
	}
	if len(diffs) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("],\n  \"path_a\" : " + pyJSONString(pathA) + ",\n  \"path_b\" : " + pyJSONString(pathB) + "\n}\n")
	return b.String()
}

// pyJSONString is json.dumps of a str (ensure_ascii).
func pyJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r > 0x7e:
			if r > 0xffff {
				r -= 0x10000
				fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
