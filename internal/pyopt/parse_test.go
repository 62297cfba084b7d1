package pyopt

import (
	"fmt"
	"testing"
)

const retentionUsage = `%prog path timePerPoint:timeToStore [timePerPoint:timeToStore]*
%prog --estimate timePerPoint:timeToStore [timePerPoint:timeToStore]*

timePerPoint and timeToStore specify lengths of time, for example:

60:1440      60 seconds per datapoint, 1440 datapoints = 1 day of retention
`

func testParsers() []*OptionParser {
	return []*OptionParser{
		{Prog: "whisper-fetch", Usage: "%prog [options] path", Options: []*Option{
			{Long: "--from", Dest: "_from", Type: Int, Default: int64(100), Help: "Unix epoch time of the beginning of your requested interval (default: 24 hours ago)"},
			{Long: "--until", Type: Int, Default: int64(200), Help: "Unix epoch time of the end of your requested interval (default: now)"},
			{Long: "--json", Action: StoreTrue, Default: false, Help: "Output results in JSON form"},
			{Long: "--pretty", Action: StoreTrue, Default: false, Help: "Show human-readable timestamps instead of unix times"},
			{Short: "-t", Long: "--time-format", Dest: "time_format", Help: "Time format to use with --pretty; see time.strftime()"},
			{Long: "--drop", Type: Choice, Choices: []string{"zeroes", "nulls", "empty"}, Help: "Specify 'nulls' to drop all null values. Specify 'zeroes' to drop all zero values. Specify 'empty' to drop both null and zero values"},
		}},
		{Prog: "whisper-create", Usage: retentionUsage, Options: []*Option{
			{Long: "--xFilesFactor", Type: Float, Default: 0.5},
			{Long: "--aggregationMethod", Type: String, Default: "average", Help: "Function to use when aggregating values (average, sum, last, max, min, avg_zero, absmax, absmin)"},
			{Long: "--overwrite", Action: StoreTrue, Default: false},
			{Long: "--estimate", Action: StoreTrue, Default: false, Help: "Don't create a whisper file, estimate storage requirements based on archive definitions"},
			{Short: "-x", Long: "--extra-long-option-name-here", Type: Int, Help: "a-very-long-hyphenated-word-that-does-not-fit-anywhere-at-all-in-one-line-of-help text"},
		}},
		{Prog: "whisper-fill", Usage: "%prog [--lock] src dst", Description: "copies data from src in dst, if missing", Options: []*Option{
			{Long: "--lock", Action: StoreTrue, Default: false, Help: "Lock whisper files"},
		}},
	}
}

var optCases = [][]string{
	{}, {"-h"}, {"--help"}, {"a", "--help", "--bogus"}, {"--bogus"}, {"-q"}, {"a", "b"},
	{"--from=5", "x"}, {"--from", "0x1f", "x"}, {"--from=017", "x"}, {"--from=0b101"}, {"--from=-3"},
	{"--from=1_000"}, {"--from="}, {"--from=1.5"}, {"--from"}, {"--fr=3"}, {"--u", "9"},
	{"--json=1"}, {"--js"}, {"-t", "%H"}, {"-t%H", "p"}, {"-t"}, {"--drop=nulls"}, {"--drop=x"},
	{"--", "--json"}, {"-", "a"}, {"--xFilesFactor=0.25"}, {"--xFilesFactor=nan"}, {"--xFilesFactor=1e400"},
	{"--xFilesFactor=abc"}, {"--xFilesFactor= 2 "}, {"--x=1"}, {"--e"}, {"--ov", "--est", "p"}, {"-x", "3"},
	{"--lock", "a", "b"}, {"--lo"}, {"-hx"}, {"--xFilesFactor=1_0.5"}, {"--xFilesFactor=inFinity"},
}

func TestOptionParserMatchesPython(t *testing.T) {
	for _, cols := range []int{0, 60, 120} {
		for _, p := range testParsers() {
			p.Columns = cols
			pc := cols
			if pc == 0 {
				pc = 80
			}
			res := runPython(t, optparseSource(p), pc, optCases)
			for i, c := range optCases {
				vals, args, ex := p.Parse(c)
				compare(t, fmt.Sprintf("%s cols=%d %q", p.Prog, cols, c), res[i], vals, args, ex)
			}
		}
	}
}

func testArgParsers() []*ArgumentParser {
	return []*ArgumentParser{
		{Prog: "whisper-set-xfilesfactor", Description: "Set xFilesFactor for existing whisper file", Arguments: []*Argument{
			{Metavar: "path", Help: "path to whisper file"},
			{Dest: "xff", Metavar: "xFilesFactor", Type: Float, Help: "new xFilesFactor, a float between 0 and 1"},
		}},
		{Prog: "find-corrupt-whisper-files", Description: "Find and (optionally) delete corrupt Whisper data files", Arguments: []*Argument{
			{Flags: []string{"--delete-corrupt"}, Action: StoreTrue, Help: "Delete reported files"},
			{Flags: []string{"--verbose"}, Action: StoreTrue, Help: "Display progress info"},
			{Dest: "directories", Metavar: "WHISPER_DIR", Nargs: "+", Help: "Directory containing Whisper files"},
		}},
		{Prog: "blpk", Description: "a tool with values", Arguments: []*Argument{
			{Flags: []string{"-n", "--nthreads"}, Type: Int, Default: int64(1), Help: "number of threads"},
			{Flags: []string{"--codec"}, Type: Choice, Choices: []string{"blosclz", "lz4"}, Default: "blosclz", Help: "codec"},
			{Dest: "in", Metavar: "in"},
		}},
	}
}

var argCases = [][]string{
	{}, {"-h"}, {"a"}, {"a", "0.5"}, {"a", "x"}, {"a", "0.5", "c"}, {"a", "-0.5"}, {"--bogus", "a", "1"},
	{"--verbose", "d1", "d2"}, {"d1", "--verbose", "d2"}, {"--verb", "d"}, {"--verbose=1", "d"}, {"--delete-corrupt"},
	{"--", "-x", "1"}, {"-n", "3", "f"}, {"-n"}, {"--nthreads=x", "f"}, {"--codec", "zz", "f"}, {"--codec=lz4", "f"}, {"--", "a"},
	{"a", "-h"}, {"--n=4", "f"},
}

func TestArgumentParserMatchesPython(t *testing.T) {
	for _, cols := range []int{0, 50} {
		for _, p := range testArgParsers() {
			p.Columns = cols
			pc := cols
			if pc == 0 {
				pc = 80
			}
			res := runPython(t, argparseSource(p), pc, argCases)
			for i, c := range argCases {
				vals, ex := p.Parse(c)
				compare(t, fmt.Sprintf("%s cols=%d %q", p.Prog, cols, c), res[i], vals, nil, ex)
			}
		}
	}
}

func TestParseNumbers(t *testing.T) {
	for _, c := range []struct {
		s  string
		ok bool
	}{{"1", true}, {" 2 ", true}, {"1_0", true}, {"_1", false}, {"1__0", false}, {"0x10", true}, {"", false}, {"-", false}, {"--1", false}} {
		if _, ok := ParseInt(c.s); ok != c.ok {
			t.Errorf("ParseInt(%q) ok=%v", c.s, ok)
		}
	}
	for _, c := range []struct {
		s  string
		ok bool
	}{{"1", true}, {".5", true}, {"5.", true}, {"1e5", true}, {"e5", false}, {"1e", false}, {"0x1p3", false}, {"nan", true}, {"-Inf", true}, {"1_0.5", true}, {"1._5", false}, {"", false}} {
		if _, ok := ParseFloat(c.s); ok != c.ok {
			t.Errorf("ParseFloat(%q) ok=%v", c.s, ok)
		}
	}
}
