package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"ringvault/internal/pyfmt"
	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

func init() {
	registerWhisper(&whisperTool{Name: "info", Peer: "whisper-info", Summary: "print a file's header", Run: whisperInfo})
}

// pyItem is one key of a python dict whose value is already rendered.
type pyItem struct{ key, repr, json string }

func infoItems(h *whisper.Header, size int64) []pyItem {
	xff := pyfmt.FloatRepr(float64(h.XFilesFactor))
	m := h.AggregationMethod.String()
	return []pyItem{
		{"aggregationMethod", m, strconv.Quote(m)},
		{"maxRetention", fmt.Sprint(h.MaxRetention), fmt.Sprint(h.MaxRetention)},
		{"xFilesFactor", xff, xff},
		{"archives", "", ""},
		{"fileSize", fmt.Sprint(size), fmt.Sprint(size)},
	}
}

func archiveItems(a whisper.ArchiveInfo) []pyItem {
	n := func(k string, v uint32) pyItem { s := fmt.Sprint(v); return pyItem{k, s, s} }
	return []pyItem{n("offset", a.Offset), n("secondsPerPoint", a.SecondsPerPoint), n("points", a.Points), n("retention", a.Retention), n("size", a.Size)}
}

// pyDictRepr is python's repr of a dict of the rendered items.
func pyDictRepr(items []pyItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = pyopt.Repr(it.key) + ": " + it.repr
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func whisperInfo(c *wctx, args []string) int {
	p := c.parser("%prog [options] path [field]", "", []*pyopt.Option{
		{Long: "--json", Action: pyopt.StoreTrue, Default: false, Help: "Output results in JSON form"},
	}, nil)
	vals, args, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	if len(args) < 1 {
		return c.exit(p.HelpExit(1))
	}
	path := args[0]
	h, err := whisper.Info(path)
	if err != nil {
		return c.failErr(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return c.failErr(err)
	}
	items := infoItems(h, st.Size())
	var archReprs []string
	for _, a := range h.Archives {
		archReprs = append(archReprs, pyDictRepr(archiveItems(a)))
	}
	items[3].repr = "[" + strings.Join(archReprs, ", ") + "]"
	if len(args) > 1 {
		field := args[1]
		for _, it := range items {
			if it.key == field {
				c.printf("%s\n", it.repr)
				return 0
			}
		}
		keys := make([]string, len(items))
		for i, it := range items {
			keys[i] = it.key
		}
		c.printf("Unknown field \"%s\". Valid fields are %s\n", field, strings.Join(keys, ","))
		return 1
	}
	var b strings.Builder
	if vals.Bool("json") {
		writeInfoJSON(&b, items, h)
	} else {
		for _, it := range items {
			if it.key != "archives" {
				fmt.Fprintf(&b, "%s: %s\n", it.key, it.repr)
			}
		}
		b.WriteString("\n")
		for i, a := range h.Archives {
			fmt.Fprintf(&b, "Archive %d\n", i)
			for _, x := range archiveItems(a) {
				fmt.Fprintf(&b, "%s: %s\n", x.key, x.repr)
			}
			b.WriteString("\n")
		}
	}
	c.printf("%s", b.String())
	return 0
}

// writeInfoJSON is json.dumps(info, indent=2, separators=(',', ': ')).
func writeInfoJSON(b *strings.Builder, items []pyItem, h *whisper.Header) {
	b.WriteString("{\n")
	for i, it := range items {
		fmt.Fprintf(b, "  %s: ", strconv.Quote(it.key))
		if it.key == "archives" {
			if len(h.Archives) == 0 {
				b.WriteString("[]")
			} else {
				b.WriteString("[\n")
				for j, a := range h.Archives {
					b.WriteString("    {\n")
					ai := archiveItems(a)
					for k, x := range ai {
						fmt.Fprintf(b, "      %s: %s", strconv.Quote(x.key), x.json)
						if k < len(ai)-1 {
							b.WriteString(",")
						}
						b.WriteString("\n")
					}
					b.WriteString("    }")
					if j < len(h.Archives)-1 {
						b.WriteString(",")
					}
					b.WriteString("\n")
				}
				b.WriteString("  ]")
			}
		} else {
			b.WriteString(it.json)
		}
		if i < len(items)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
}
