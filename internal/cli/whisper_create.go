package cli

import (
	"math"
	"os"
	"strings"

	"ringvault/internal/pyfmt"
	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

const retentionHelp = `timePerPoint and timeToStore specify lengths of time, for example:

60:1440      60 seconds per datapoint, 1440 datapoints = 1 day of retention
15m:8        15 minutes per datapoint, 8 datapoints = 2 hours of retention
1h:7d        1 hour per datapoint, 7 days of retention
12h:2y       12 hours per datapoint, 2 years of retention
`

func init() {
	registerWhisper(&whisperTool{Name: "create", Peer: "whisper-create", Summary: "create a .wsp file with the given archives", Run: whisperCreate})
}

func aggregationHelp(prefix string) string {
	return prefix + " (" + strings.Join(whisper.AggregationMethods, ", ") + ")"
}

func whisperCreate(c *wctx, args []string) int {
	p := c.parser(`%prog path timePerPoint:timeToStore [timePerPoint:timeToStore]*
%prog --estimate timePerPoint:timeToStore [timePerPoint:timeToStore]*

`+retentionHelp, "", []*pyopt.Option{
		{Long: "--xFilesFactor", Type: pyopt.Float, Default: 0.5},
		{Long: "--aggregationMethod", Type: pyopt.String, Default: "average", Help: aggregationHelp("Function to use when aggregating values")},
		{Long: "--overwrite", Action: pyopt.StoreTrue, Default: false},
		{Long: "--estimate", Action: pyopt.StoreTrue, Default: false, Help: "Don't create a whisper file, estimate storage requirements based on archive definitions"},
		{Long: "--sparse", Action: pyopt.StoreTrue, Default: false, Help: "Create new whisper as sparse file"},
		{Long: "--fallocate", Action: pyopt.StoreTrue, Default: false, Help: "Create new whisper and use fallocate"},
	}, nil)
	vals, args, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	if vals.Bool("estimate") {
		return c.estimate(p, args)
	}
	if len(args) < 2 {
		return c.exit(p.HelpExit(1))
	}
	path := args[0]
	archives, err := parseRetentions(args[1:])
	if err != nil {
		return c.failErr(err)
	}
	method, err := whisper.ParseAggregationMethod(vals.Get("aggregationMethod").(string))
	if err != nil {
		// python writes an empty file before it notices; ringvault
		// leaves nothing behind.
		return c.failErr(err)
	}
	if _, err := os.Lstat(path); err == nil && vals.Bool("overwrite") {
		c.printf("Overwriting existing file: %s\n", path)
		if err := os.Remove(path); err != nil {
			return c.failErr(err)
		}
	}
	xff, _ := vals.Float("xFilesFactor")
	err = whisper.Create(path, archives, &whisper.CreateOptions{
		XFilesFactor:      whisper.XFF(xff),
		AggregationMethod: method,
		Sparse:            vals.Bool("sparse"),
		Fallocate:         vals.Bool("fallocate"),
	})
	if err != nil {
		return c.failErr(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return c.failErr(err)
	}
	c.printf("Created: %s (%d bytes)\n", path, st.Size())
	return 0
}

func parseRetentions(defs []string) ([]whisper.ArchiveSpec, error) {
	archives := make([]whisper.ArchiveSpec, 0, len(defs))
	for _, d := range defs {
		a, err := whisper.ParseRetentionDef(d)
		if err != nil {
			return nil, err
		}
		archives = append(archives, a)
	}
	return archives, nil
}

// byteFormat is whisper-create's byte_format.
func byteFormat(num float64) string {
	for _, unit := range []string{"bytes", "KB", "MB"} {
		if num < 1024.0 {
			return pyfmt.FormatF(num, 3) + unit
		}
		num /= 1024.0
	}
	return pyfmt.FormatF(num, 3) + "GB"
}

func (c *wctx) estimate(p *pyopt.OptionParser, args []string) int {
	if len(args) == 0 {
		return c.exit(p.UsageExit(1))
	}
	if len(args) == 1 && strings.Index(args[0], ",") > 0 {
		args = strings.Split(args[0], ",")
	}
	var archives, points int64
	for _, d := range args {
		a, err := whisper.ParseRetentionDef(d)
		if err != nil {
			return c.failErr(err)
		}
		c.printf("Archive %d: %d points of %ds precision\n", archives, a.Points, a.SecondsPerPoint)
		archives++
		points += int64(a.Points)
	}
	size := 16 + archives*12 + points*12
	disk := int64(math.Ceil(float64(size)/4096.0) * 4096)
	c.printf("\nEstimated Whisper DB Size: %s (%d bytes on disk with 4k blocks)\n\n", byteFormat(float64(size)), disk)
	for _, x := range []int64{1, 5, 10, 50, 100, 500} {
		c.printf("Estimated storage requirement for %dk metrics: %s\n", x, byteFormat(float64(x*1000*disk)))
	}
	return 0
}
