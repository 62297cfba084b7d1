package cli

import (
	"fmt"
	"os"

	"ringvault/internal/progress"
	"ringvault/internal/pyopt"
	"ringvault/whisper"
)

func init() {
	registerWhisper(&whisperTool{Name: "resize", Peer: "whisper-resize", Summary: "change a file's archives, keeping its data (atomic)", Run: whisperResize})
}

// resizeBarMinPoints is the size from which whisper-resize shows a progress
// bar on a terminal (1M points = 12 MB of data).
var resizeBarMinPoints int64 = 1 << 20

const pointBytes = 12

func whisperResize(c *wctx, args []string) int {
	p := resizeParser(c)
	vals, args, ex := p.Parse(args)
	if ex != nil {
		return c.exit(ex)
	}
	if len(args) < 2 {
		return c.exit(p.HelpExit(1))
	}
	path := args[0]
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(c.env.Stderr, "[ERROR] File '%s' does not exist!\n\n", path)
		return c.exit(p.HelpExit(1))
	}
	now := c.now(vals)
	h, err := whisper.Info(path)
	if err != nil {
		return c.failErr(err)
	}
	archives, err := parseRetentions(args[1:])
	if err != nil {
		return c.failErr(err)
	}
	say := func(format string, a ...any) {
		if !vals.Bool("quiet") && !vals.Bool("silent") {
			c.printf(format, a...)
		}
	}
	opts, err := resizeOptions(vals, h)
	if err != nil {
		return c.failErr(err)
	}
	newfile, ok := vals.String("newfile")
	tmp := path + ".tmp"
	if ok {
		opts.NewFile = newfile
	} else {
		newfile = tmp
	}
	// A progress bar on a terminal for big files (whisper.Resize reports
	// points; the bar shows their 12 bytes each).
	var bar *progress.Bar
	opts.Progress = func(done, total int64) {
		if bar == nil {
			show := total >= resizeBarMinPoints && !vals.Bool("silent") && c.env.IsTerminal != nil && c.env.IsTerminal(c.env.Stderr)
			bar = progress.New(c.env.Stderr, "resize "+path, total*pointBytes, show)
		}
		bar.Add(done*pointBytes - bar.Done())
	}
	say("Retrieving all data from the archives\n")
	if newfile == tmp {
		if _, err := os.Lstat(tmp); err == nil {
			say("Removing previous temporary database file: %s\n", tmp)
			if err := os.Remove(tmp); err != nil {
				return c.failErr(err)
			}
		}
	}
	say("Creating new whisper database: %s\n", newfile)
	err = whisper.Resize(path, archives, now, opts)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return c.failErr(err)
	}
	if st, err := os.Stat(newfile); err == nil {
		say("Created: %s (%d bytes)\n", newfile, st.Size())
	} else if st, err := os.Stat(path); err == nil {
		say("Created: %s (%d bytes)\n", newfile, st.Size())
	}
	if opts.Aggregate {
		say("Migrating data with aggregation...\n")
	} else {
		say("Migrating data without aggregation...\n")
	}
	if opts.NewFile != "" {
		return 0
	}
	say("Renaming old database to: %s\n", path+".bak")
	say("Renaming new database to: %s\n", path)
	// master's --chown-uid/--chown-gid: only when both are given; a failure
	// is reported and the resize stands, as in python.
	uid, _ := vals.Int("chown_uid")
	gid, _ := vals.Int("chown_gid")
	if uid > 0 && gid > 0 {
		if err := os.Chown(path, int(uid), int(gid)); err != nil {
			fmt.Fprintf(c.env.Stderr, "[ERROR] %s\n", pyErrText(err))
		}
	}
	if opts.NoBackup {
		say("Unlinking backup: %s\n", path+".bak")
	}
	return 0
}

// resizeOptions turns whisper-resize's options into whisper.ResizeOptions;
// the file's own xFilesFactor and method are kept unless given.
func resizeOptions(vals *pyopt.Values, h *whisper.Header) (*whisper.ResizeOptions, error) {
	opts := &whisper.ResizeOptions{
		AggregationMethod: h.AggregationMethod,
		Aggregate:         vals.Bool("aggregate"),
		Sparse:            vals.Bool("sparse") && !vals.Bool("fallocate"),
		Fallocate:         vals.Bool("fallocate"),
		NoBackup:          vals.Bool("nobackup"),
	}
	if x, ok := vals.Float("xFilesFactor"); ok {
		opts.XFilesFactor = &x
	}
	if m, ok := vals.String("aggregationMethod"); ok {
		var err error
		if opts.AggregationMethod, err = whisper.ParseAggregationMethod(m); err != nil {
			return nil, err
		}
	}
	return opts, nil
}

func resizeParser(c *wctx) *pyopt.OptionParser {
	return c.parser("%prog path timePerPoint:timeToStore [timePerPoint:timeToStore]*\n\n"+retentionHelp, "", []*pyopt.Option{
		{Long: "--xFilesFactor", Type: pyopt.Float, Help: "Change the xFilesFactor"},
		{Long: "--aggregationMethod", Type: pyopt.String, Help: aggregationHelp("Change the aggregation function")},
		{Long: "--force", Action: pyopt.StoreTrue, Default: false, Help: "Perform a destructive change"},
		{Long: "--newfile", Help: "Create a new database file without removing the existing one"},
		{Long: "--nobackup", Action: pyopt.StoreTrue, Help: "Delete the .bak file after successful execution"},
		{Long: "--aggregate", Action: pyopt.StoreTrue, Help: "Try to aggregate the values to fit the new archive better. Note that this will make things slower and use more memory."},
	}, []*pyopt.Option{
		{Long: "--sparse", Action: pyopt.StoreTrue, Default: true, Help: "Create new whisper as sparse file (the default)"},
		{Long: "--fallocate", Action: pyopt.StoreTrue, Default: false, Help: "Create new whisper and use fallocate (disabling sparse)"},
		{Long: "--chown-uid", Type: pyopt.Int, Default: int64(-1), Help: "Run chown for specific UID"},
		{Long: "--chown-gid", Type: pyopt.Int, Default: int64(-1), Help: "Run chown for specific GID"},
		{Long: "--quiet", Action: pyopt.StoreTrue, Default: false, Help: "Print less messages"},
		{Long: "--silent", Action: pyopt.StoreTrue, Default: false, Help: "Print no messages"},
		nowOption(),
	})
}
