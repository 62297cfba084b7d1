package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// whisperCases is the table of command lines run through the python
// scripts and ringvault. The fixtures (testdata/whisper/fixtures) were
// written at testNow; times below are relative to it.
func whisperCases() []wcase {
	ts := func(d int64) string { return fmt.Sprint(testNow + d) }
	var cs []wcase
	add := func(name, script string, args ...string) *wcase {
		cs = append(cs, wcase{name: name, script: script, args: args})
		return &cs[len(cs)-1]
	}
	// --help, -h and argument errors of every script.
	for _, s := range []string{"whisper-create", "whisper-update", "whisper-fetch", "whisper-info", "whisper-dump",
		"whisper-resize", "whisper-merge", "whisper-fill", "whisper-diff", "whisper-set-aggregation-method",
		"whisper-set-xfilesfactor", "find-corrupt-whisper-files"} {
		add(s+"-help", s, "--help")
		add(s+"-h", s, "-h", "x")
		add(s+"-noargs", s)
		add(s+"-badopt", s, "--bogus", "small.wsp")
	}

	// create
	add("create", "whisper-create", "new.wsp", "60:1440", "1h:7d")
	add("create-opts", "whisper-create", "--xFilesFactor=0.1", "--aggregationMethod", "sum", "new.wsp", "10s:1h", "1m:1d", "1h:1y")
	add("create-sparse", "whisper-create", "--sparse", "new.wsp", "1s:1d")
	add("create-fallocate", "whisper-create", "--fallocate", "new.wsp", "1m:30d")
	add("create-exists", "whisper-create", "small.wsp", "60:10")
	add("create-overwrite", "whisper-create", "--overwrite", "small.wsp", "60:10")
	add("create-one-arg", "whisper-create", "new.wsp")
	add("create-bad-retention", "whisper-create", "new.wsp", "60:x").traceback = true
	add("create-bad-unit", "whisper-create", "new.wsp", "1q:1d").traceback = true
	add("create-dup-precision", "whisper-create", "new.wsp", "60:10", "60:20")
	add("create-not-divisible", "whisper-create", "new.wsp", "60:100", "90:200")
	add("create-retention-order", "whisper-create", "new.wsp", "60:100", "120:20")
	add("create-too-few-points", "whisper-create", "new.wsp", "60:2", "300:100")
	add("create-bad-method", "whisper-create", "--aggregationMethod=median", "new.wsp", "60:10").filesDiffer = "python leaves an empty new.wsp behind"
	add("create-bad-xff", "whisper-create", "--xFilesFactor=2", "new.wsp", "60:10").filesDiffer = "python leaves an empty new.wsp behind"
	add("create-xff-not-float", "whisper-create", "--xFilesFactor=x", "new.wsp", "60:10")
	add("estimate", "whisper-create", "--estimate", "10s:1d", "1m:30d", "1h:5y")
	add("estimate-comma", "whisper-create", "--estimate", "10s:1d,1m:30d,1h:5y")
	add("estimate-none", "whisper-create", "--estimate")
	add("estimate-big", "whisper-create", "--estimate", "1s:10y")

	// update
	add("update-one", "whisper-update", "small.wsp", ts(-30)+":5.25")
	add("update-now", "whisper-update", "small.wsp", "N:7")
	add("update-many", "whisper-update", "small.wsp", ts(-30)+":1", ts(-90)+":2", ts(-150)+":3", "N:4")
	add("update-many-future", "whisper-update", "small.wsp", ts(120)+":1", ts(-60)+":2")
	add("update-future", "whisper-update", "small.wsp", ts(60)+":1")
	add("update-too-old", "whisper-update", "small.wsp", ts(-3600)+":1")
	add("update-bad-value", "whisper-update", "small.wsp", ts(-30)+":abc").traceback = true
	add("update-bad-ts", "whisper-update", "small.wsp", "x:1").traceback = true
	add("update-missing", "whisper-update", "missing.wsp", ts(-30)+":1").traceback = true
	add("update-corrupt", "whisper-update", "badagg.wsp", ts(-30)+":1")
	add("update-day-many", "whisper-update", "day.wsp", ts(-86000)+":1", ts(-50000)+":2", ts(-7)+":3", ts(-100000)+":4")
	up := add("update-stdin", "whisper-update", "small.wsp")
	up.stdin = ts(-30) + ":1\n" + ts(-90) + ":2\n\nN:3\n"
	up.noPython = "python 1.1.4 prints its help; master (PR #318) reads the points from stdin"

	// fetch
	add("fetch-default", "whisper-fetch", "day.wsp")
	add("fetch-range", "whisper-fetch", "--from="+ts(-600), "--until="+ts(-60), "small.wsp")
	add("fetch-coarse", "whisper-fetch", "--from", ts(-3000), "--until", ts(0), "small.wsp")
	add("fetch-json", "whisper-fetch", "--json", "--from="+ts(-900), "small.wsp")
	add("fetch-json-day", "whisper-fetch", "--json", "day.wsp")
	add("fetch-pretty", "whisper-fetch", "--pretty", "--from="+ts(-600), "small.wsp")
	add("fetch-time-format", "whisper-fetch", "--pretty", "-t", "%Y-%m-%d %H:%M:%S %a %j", "--from="+ts(-600), "small.wsp")
	add("fetch-special", "whisper-fetch", "--from="+ts(-30), "special.wsp")
	add("fetch-special-json", "whisper-fetch", "--json", "--from="+ts(-30), "special.wsp")
	add("fetch-drop-json", "whisper-fetch", "--json", "--drop=nulls", "--from="+ts(-900), "small.wsp")
	add("fetch-drop-zeroes-json", "whisper-fetch", "--json", "--drop=zeroes", "--from="+ts(-30), "special.wsp")
	add("fetch-drop-empty-json", "whisper-fetch", "--json", "--drop=empty", "--from="+ts(-30), "special.wsp")
	add("fetch-drop-nulls", "whisper-fetch", "--drop=nulls", "--from="+ts(-900), "small.wsp").noPython = "1.1.4 shifts the timestamps after a dropped value; master f215ce3 keeps them"
	add("fetch-drop-empty", "whisper-fetch", "--drop=empty", "--from="+ts(-30), "special.wsp").noPython = "1.1.4 shifts the timestamps after a dropped value; master f215ce3 keeps them"
	add("fetch-bad-drop", "whisper-fetch", "--drop=all", "small.wsp")
	add("fetch-future", "whisper-fetch", "--from="+ts(100), "--until="+ts(200), "small.wsp")
	add("fetch-too-old", "whisper-fetch", "--from="+ts(-10000), "--until="+ts(-9000), "small.wsp")
	add("fetch-inverted", "whisper-fetch", "--from="+ts(0), "--until="+ts(-100), "small.wsp")
	add("fetch-zero-length", "whisper-fetch", "--from="+ts(-100), "--until="+ts(-100), "small.wsp")
	add("fetch-empty-file", "whisper-fetch", "empty.wsp")
	add("fetch-missing", "whisper-fetch", "missing.wsp")
	add("fetch-dir", "whisper-fetch", "sub")
	add("fetch-corrupt", "whisper-fetch", "badxff.wsp")
	add("fetch-short", "whisper-fetch", "short.wsp")
	add("fetch-two-paths", "whisper-fetch", "small.wsp", "day.wsp")
	add("fetch-bad-from", "whisper-fetch", "--from=yesterday", "small.wsp")
	add("fetch-hex-from", "whisper-fetch", "--from=0x6553f000", "small.wsp")

	// info
	for _, f := range []string{"small", "day", "special", "empty"} {
		add("info-"+f, "whisper-info", f+".wsp")
		add("info-json-"+f, "whisper-info", "--json", f+".wsp")
	}
	add("info-field-xff", "whisper-info", "small.wsp", "xFilesFactor")
	add("info-field-method", "whisper-info", "small.wsp", "aggregationMethod")
	add("info-field-archives", "whisper-info", "small.wsp", "archives")
	add("info-field-size", "whisper-info", "small.wsp", "fileSize")
	add("info-field-unknown", "whisper-info", "small.wsp", "points")
	add("info-badagg", "whisper-info", "badagg.wsp")
	add("info-badxff", "whisper-info", "badxff.wsp")
	add("info-short", "whisper-info", "short.wsp")
	add("info-noarch", "whisper-info", "noarch.wsp")
	add("info-zero", "whisper-info", "zero.wsp")
	add("info-missing", "whisper-info", "missing.wsp").traceback = true
	tr := add("info-truncated", "whisper-info", "trunc.wsp")
	tr.noPython = "python reads only the header and calls a file cut after it fine; ringvault checks every archive against the file size"
	tr.setup = func(dir string) {
		b, _ := os.ReadFile(filepath.Join(dir, "day.wsp"))
		os.WriteFile(filepath.Join(dir, "trunc.wsp"), b[:len(b)-100], 0o644)
	}
	tf := add("findcorrupt-truncated", "find-corrupt-whisper-files", "--verbose", ".")
	tf.noPython = tr.noPython
	tf.setup = tr.setup

	// dump
	for _, f := range []string{"small", "special", "empty", "day", "badagg", "badxff"} {
		add("dump-"+f, "whisper-dump", f+".wsp")
	}
	add("dump-pretty", "whisper-dump", "--pretty", "small.wsp")
	add("dump-time-format", "whisper-dump", "--pretty", "-t", "%d/%m/%y %I:%M %p", "small.wsp")
	add("dump-missing", "whisper-dump", "missing.wsp")
	add("dump-two", "whisper-dump", "small.wsp", "day.wsp")
	add("dump-short", "whisper-dump", "short.wsp").traceback = true
	add("dump-noarch", "whisper-dump", "noarch.wsp").traceback = true
	add("dump-zero", "whisper-dump", "zero.wsp").traceback = true
	add("dump-raw", "whisper-dump", "--raw", "small.wsp").noPython = "--raw is master's (not in 1.1.4)"

	// resize
	add("resize", "whisper-resize", "small.wsp", "60:20", "300:24")
	add("resize-nobackup", "whisper-resize", "--nobackup", "day.wsp", "1m:2d", "1h:30d")
	add("resize-newfile", "whisper-resize", "--newfile=resized.wsp", "small.wsp", "30:40", "300:24")
	add("resize-opts", "whisper-resize", "--xFilesFactor=0.7", "--aggregationMethod=sum", "day.wsp", "5m:1d")
	add("resize-missing", "whisper-resize", "missing.wsp", "60:10")
	add("resize-one-arg", "whisper-resize", "small.wsp")
	add("resize-aggregate", "whisper-resize", "--aggregate", "day.wsp", "5m:1d", "1h:30d").noPython = "Debian 1.1.4 crashes on python 3 (map has no len()) and leaves day.wsp.tmp; ringvault does what master does"
	rt := add("resize-stale-tmp", "whisper-resize", "small.wsp", "60:20", "300:24")
	rt.setup = func(dir string) { os.WriteFile(filepath.Join(dir, "small.wsp.tmp"), []byte("stale"), 0o644) }
	add("resize-newfile-exists", "whisper-resize", "--newfile=other.wsp", "small.wsp", "60:20").traceback = true
	add("resize-quiet", "whisper-resize", "--quiet", "small.wsp", "60:20", "300:24").noPython = "--quiet is master's"
	add("resize-bad-retention", "whisper-resize", "small.wsp", "60:q").traceback = true

	// merge
	add("merge", "whisper-merge", "other.wsp", "small.wsp")
	add("merge-range", "whisper-merge", "--from="+ts(-400), "--until="+ts(-100), "other.wsp", "small.wsp")
	add("merge-missing", "whisper-merge", "missing.wsp", "small.wsp")
	add("merge-unlike", "whisper-merge", "day.wsp", "small.wsp").traceback = true
	add("merge-inverted", "whisper-merge", "--from="+ts(0), "--until="+ts(-100), "other.wsp", "small.wsp").traceback = true

	// fill
	add("fill", "whisper-fill", "other.wsp", "small.wsp")
	add("fill-reverse", "whisper-fill", "small.wsp", "other.wsp")
	add("fill-lock", "whisper-fill", "--lock", "day.wsp", "small.wsp")
	add("fill-into-day", "whisper-fill", "small.wsp", "day.wsp")

	// diff
	add("diff", "whisper-diff", "small.wsp", "other.wsp")
	add("diff-summary", "whisper-diff", "--summary", "small.wsp", "other.wsp")
	add("diff-json", "whisper-diff", "--json", "small.wsp", "other.wsp")
	add("diff-summary-json", "whisper-diff", "--summary", "--json", "small.wsp", "other.wsp")
	add("diff-columns", "whisper-diff", "--columns", "--no-headers", "small.wsp", "other.wsp")
	add("diff-ignore-empty", "whisper-diff", "--ignore-empty", "small.wsp", "other.wsp")
	add("diff-until", "whisper-diff", "--until="+ts(-300), "small.wsp", "other.wsp")
	add("diff-same", "whisper-diff", "small.wsp", "small.wsp")
	add("diff-unlike", "whisper-diff", "small.wsp", "day.wsp").traceback = true

	// set-aggregation-method, set-xfilesfactor
	add("setagg", "whisper-set-aggregation-method", "small.wsp", "sum")
	add("setagg-xff", "whisper-set-aggregation-method", "small.wsp", "avg_zero", "0.3")
	add("setagg-bad", "whisper-set-aggregation-method", "small.wsp", "median")
	add("setagg-xff-nan", "whisper-set-aggregation-method", "small.wsp", "sum", "abc")
	add("setagg-xff-range", "whisper-set-aggregation-method", "small.wsp", "sum", "2")
	add("setagg-missing", "whisper-set-aggregation-method", "missing.wsp", "sum")
	add("setagg-dir", "whisper-set-aggregation-method", "sub", "sum")
	add("setagg-corrupt", "whisper-set-aggregation-method", "badagg.wsp", "sum")
	add("setxff", "whisper-set-xfilesfactor", "small.wsp", "0.3")
	add("setxff-range", "whisper-set-xfilesfactor", "small.wsp", "1.5")
	add("setxff-notfloat", "whisper-set-xfilesfactor", "small.wsp", "x")
	add("setxff-missing", "whisper-set-xfilesfactor", "missing.wsp", "0.5")
	add("setxff-extra", "whisper-set-xfilesfactor", "small.wsp", "0.5", "extra")

	// find-corrupt-whisper-files
	add("findcorrupt", "find-corrupt-whisper-files", ".")
	add("findcorrupt-verbose", "find-corrupt-whisper-files", "--verbose", "sub")
	add("findcorrupt-delete", "find-corrupt-whisper-files", "--delete-corrupt", "sub")
	add("findcorrupt-notdir", "find-corrupt-whisper-files", "small.wsp")
	return cs
}
