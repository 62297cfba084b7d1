package cli

import (
	"errors"
	"fmt"
	"strings"

	"ringvault/internal/pyfmt"
	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

func init() {
	registerWhisper(&whisperTool{Name: "set-aggregation-method", Peer: "whisper-set-aggregation-method", Summary: "change the aggregation method (and xFilesFactor)", Run: whisperSetAggregation})
	registerWhisper(&whisperTool{Name: "set-xfilesfactor", Peer: "whisper-set-xfilesfactor", Summary: "change the xFilesFactor", Run: whisperSetXFF})
}

// openForSet opens path for writing as python's __setAggregation does; an
// error that is not a corrupt header is python's IOError.
func openForSet(path string) (*whisper.File, bool, error) {
	w, err := whisper.Open(path, nil)
	if err != nil {
		return nil, !errors.Is(err, whisper.ErrCorrupt), err
	}
	return w, false, nil
}

func whisperSetAggregation(c *wctx, args []string) int {
	p := c.parser("%prog path <"+strings.Join(whisper.AggregationMethods, "|")+"> [xFilesFactor]", "", nil, nil)
	_, args, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	if len(args) < 2 {
		return c.exit(p.HelpExit(1))
	}
	path, method := args[0], args[1]
	w, ioErr, err := openForSet(path)
	if ioErr {
		fmt.Fprintf(c.env.Stderr, "[ERROR] File '%s' does not exist!\n\n", path)
		return c.exit(p.HelpExit(1))
	}
	if err != nil {
		return c.failErr(err)
	}
	defer w.Close()
	m, err := whisper.ParseAggregationMethod(method)
	if err != nil {
		return c.failErr(err)
	}
	var xff *float64
	if len(args) == 3 {
		f, ok := pyopt.ParseFloat(args[2])
		if !ok {
			return c.fail(fmt.Sprintf("[ERROR] Invalid xFilesFactor %s, not a float", args[2]))
		}
		xff = &f
	}
	old, _, err := w.SetAggregation(m, xff)
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return c.failErr(err)
	}
	c.printf("Updated aggregation method: %s (%s -> %s)\n", path, old, method)
	return 0
}

func whisperSetXFF(c *wctx, args []string) int {
	p := &pyopt.ArgumentParser{Prog: c.prog, Description: "Set xFilesFactor for existing whisper file", Columns: c.argparseColumns(), Arguments: []*pyopt.Argument{
		{Metavar: "path", Help: "path to whisper file"},
		{Dest: "xff", Metavar: "xFilesFactor", Type: pyopt.Float, Help: "new xFilesFactor, a float between 0 and 1"},
	}}
	vals, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	path, _ := vals.String("path")
	xff, _ := vals.Float("xff")
	w, ioErr, err := openForSet(path)
	if ioErr {
		fmt.Fprintf(c.env.Stderr, "[ERROR] File '%s' does not exist!\n\n", path)
		return c.exit(p.HelpExit(1))
	}
	if err != nil {
		return c.failErr(err)
	}
	defer w.Close()
	_, old, err := w.SetAggregation(0, &xff)
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return c.failErr(err)
	}
	c.printf("Updated xFilesFactor: %s (%s -> %s)\n", path, pyfmt.FloatRepr(float64(old)), pyfmt.FloatRepr(xff))
	return 0
}
