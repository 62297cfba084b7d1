package cli

import (
	"fmt"
	"os"

	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

func init() {
	registerWhisper(&whisperTool{Name: "merge", Peer: "whisper-merge", Summary: "copy the points of one file into another of the same layout", Run: whisperMerge})
	registerWhisper(&whisperTool{Name: "fill", Peer: "whisper-fill", Summary: "fill the gaps of dst with data from src", Run: whisperFill})
}

func whisperMerge(c *wctx, args []string) int {
	p := c.parser("%prog [options] from_path to_path", "", []*pyopt.Option{
		{Long: "--from", Type: pyopt.Int, Dest: "_from", Help: "Begining of interval, unix timestamp (default: epoch)"},
		{Long: "--until", Type: pyopt.Int, Help: "End of interval, unix timestamp (default: now)"},
	}, []*pyopt.Option{nowOption()})
	vals, args, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	if len(args) < 2 {
		return c.exit(p.HelpExit(1))
	}
	for _, f := range args[:2] {
		if _, err := os.Stat(f); err != nil {
			return c.fail(fmt.Sprintf("[ERROR] File \"%s\" does not exist!", f))
		}
	}
	now := c.now(vals)
	from, _ := vals.Int("_from")
	until, ok := vals.Int("until")
	if !ok {
		until = now
	}
	src, err := whisper.Open(args[0], &whisper.OpenOptions{ReadOnly: true})
	if err != nil {
		return c.failErr(err)
	}
	defer src.Close()
	dst, err := whisper.Open(args[1], nil)
	if err != nil {
		return c.failErr(err)
	}
	defer dst.Close()
	if err := whisper.Merge(src, dst, from, until, now); err != nil {
		return c.failErr(err)
	}
	if err := dst.Close(); err != nil {
		return c.failErr(err)
	}
	return 0
}

func whisperFill(c *wctx, args []string) int {
	p := c.parser("%prog [--lock] src dst", "copies data from src in dst, if missing", []*pyopt.Option{
		{Long: "--lock", Action: pyopt.StoreTrue, Default: false, Help: "Lock whisper files"},
	}, []*pyopt.Option{nowOption()})
	vals, args, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	if len(args) != 2 {
		return c.exit(p.HelpExit(1))
	}
	now := c.now(vals)
	src, err := whisper.Open(args[0], &whisper.OpenOptions{ReadOnly: true})
	if err != nil {
		return c.failErr(err)
	}
	defer src.Close()
	dst, err := whisper.Open(args[1], &whisper.OpenOptions{Lock: vals.Bool("lock")})
	if err != nil {
		return c.failErr(err)
	}
	defer dst.Close()
	if err := whisper.Fill(src, dst, now, now); err != nil {
		return c.failErr(err)
	}
	if err := dst.Close(); err != nil {
		return c.failErr(err)
	}
	return 0
}
