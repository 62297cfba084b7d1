package cli

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

func init() {
	registerWhisper(&whisperTool{Name: "update", Peer: "whisper-update", Summary: "store timestamp:value points (from stdin when none are given)", Run: whisperUpdate})
}

func whisperUpdate(c *wctx, args []string) int {
	p := c.parser("%prog [options] path timestamp:value [timestamp:value]*", "", nil, []*pyopt.Option{nowOption()})
	if c.native {
		p.Usage = "%prog [options] path [timestamp:value]*\n\nWithout timestamp:value arguments, points are read one per line from stdin.\nN:value means now."
	}
	vals, args, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	if len(args) < 1 {
		return c.exit(p.HelpExit(1))
	}
	now := c.now(vals)
	path := args[0]
	strs := args[1:]
	if len(strs) == 0 {
		// master's whisper-update (PR #318): points from stdin.
		sc := bufio.NewScanner(c.env.Stdin)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" {
				strs = append(strs, s)
			}
		}
		if err := sc.Err(); err != nil {
			return c.failErr(err)
		}
		if len(strs) == 0 {
			return 0
		}
	}
	points := make([]whisper.Point, 0, len(strs))
	nowStr := strconv.FormatInt(now, 10) + ":"
	for _, s := range strs {
		s = strings.ReplaceAll(s, "N:", nowStr)
		parts := strings.Split(s, ":")
		if len(parts) != 2 {
			return c.fail(fmt.Sprintf("[ERROR] %s: expected timestamp:value", pyopt.Repr(s)))
		}
		ts, ok := pyopt.PyInt(parts[0], 10)
		if !ok {
			return c.fail(fmt.Sprintf("[ERROR] invalid literal for int() with base 10: %s", pyopt.Repr(parts[0])))
		}
		v, ok := pyopt.ParseFloat(parts[1])
		if !ok {
			return c.fail(fmt.Sprintf("[ERROR] could not convert string to float: %s", pyopt.Repr(parts[1])))
		}
		points = append(points, whisper.Point{Timestamp: ts, Value: v})
	}
	w, err := whisper.Open(path, nil)
	if err != nil {
		return c.failErr(err)
	}
	if len(points) == 1 {
		err = w.Update(points[0].Value, points[0].Timestamp, now)
	} else {
		err = w.UpdateMany(points, now)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return c.failErr(err)
	}
	return 0
}
