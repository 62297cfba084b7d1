package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"ringvault/blosc"
	"ringvault/bloscpack"
)

// blpk's command line, parsed as bloscpack 0.16's argparse parser does:
// global options, a subcommand (with aliases), the subcommand's options and
// positionals in any order, argparse's error texts and exit status 2, and
// blpk's own checks made while parsing (-n range, -z size) on stdout with
// status 1.

type blpkOpt struct {
	short, long string
	metavar     string // "" for flags
	dest        string
	kind        byte // 's' string, 'i' int, 'c' choice
	choices     []string
}

func (o *blpkOpt) name() string { return o.short + "/" + o.long }

var (
	optTypesize = blpkOpt{"-t", "--typesize", "<size>", "typesize", 'i', nil}
	optClevel   = blpkOpt{"-l", "--clevel", "[0, 9]", "clevel", 'i', []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}}
	optShuffle  = blpkOpt{"-s", "--no-shuffle", "", "no_shuffle", 0, nil}
	optCodec    = blpkOpt{"-c", "--codec", "<codec>", "cname", 'c', []string{"blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"}}
	optChunk    = blpkOpt{"-z", "--chunk-size", "<size>", "chunk_size", 's', nil}
	optChecksum = blpkOpt{"-k", "--checksum", "<checksum>", "checksum", 'c', []string{"None", "adler32", "crc32", "md5", "sha1", "sha224", "sha256", "sha384", "sha512"}}
	optOffsets  = blpkOpt{"-o", "--no-offsets", "", "no_offsets", 0, nil}
	optMeta     = blpkOpt{"-m", "--metadata", "<metadata>", "metadata", 's', nil}
	optNoExt    = blpkOpt{"-e", "--no-check-extension", "", "no_check_extension", 0, nil}
	optMaxApp   = blpkOpt{"", "--max-app-chunks", "<n>", "max_app_chunks", 'i', nil}
	optSync     = blpkOpt{"", "--sync", "", "sync", 0, nil}
)

type blpkSub struct {
	name    string
	opts    []*blpkOpt
	usage   []string // option parts of the usage line
	pos     []string // positional metavars; a trailing "?" marks an optional one
	help    string
	aliasOf string
}

var blpkSubs = func() map[string]*blpkSub {
	compress := &blpkSub{name: "compress",
		opts:  []*blpkOpt{&optTypesize, &optClevel, &optShuffle, &optCodec, &optChunk, &optChecksum, &optOffsets, &optMeta, &optMaxApp, &optSync},
		usage: []string{"[-h]", "[-t <size>]", "[-l [0, 9]]", "[-s]", "[-c <codec>]", "[-z <size>]", "[-k <checksum>]", "[-o]", "[-m <metadata>]"},
		pos:   []string{"<in_file>", "<out_file>?"}, help: blpkCompressHelp}
	decompress := &blpkSub{name: "decompress", opts: []*blpkOpt{&optNoExt, &optSync},
		usage: []string{"[-h]", "[-e]"}, pos: []string{"<in_file>", "<out_file>?"}, help: blpkDecompressHelp}
	appendS := &blpkSub{name: "append",
		opts:  []*blpkOpt{&optTypesize, &optClevel, &optShuffle, &optCodec, &optNoExt, &optMeta},
		usage: []string{"[-h]", "[-t <size>]", "[-l [0, 9]]", "[-s]", "[-c <codec>]", "[-e]", "[-m <metadata>]"},
		pos:   []string{"<original_file>", "<new_file>"}, help: blpkAppendHelp}
	info := &blpkSub{name: "info", usage: []string{"[-h]"}, pos: []string{"<file>"}, help: blpkInfoHelp}
	verify := &blpkSub{name: "verify", usage: []string{"[-h]"}, pos: []string{"<file>"}, help: blpkVerifyHelp}
	m := map[string]*blpkSub{}
	for _, s := range []*blpkSub{compress, decompress, appendS, info, verify} {
		m[s.name] = s
		if s.name != "verify" {
			alias := *s
			alias.name, alias.aliasOf = s.name[:1], s.name
			m[alias.name] = &alias
		}
	}
	return m
}()

var blpkSubNames = []string{"compress", "c", "decompress", "d", "append", "a", "info", "i", "verify"}

func (s *blpkSub) usageLine() string {
	pos := make([]string, len(s.pos))
	for i, p := range s.pos {
		if strings.HasSuffix(p, "?") {
			p = "[" + strings.TrimSuffix(p, "?") + "]"
		}
		pos[i] = p
	}
	return blpkUsage("blpk "+s.name, s.usage, pos)
}

// blpkArgs are the parsed arguments.
type blpkArgs struct {
	verbose, debug, force bool
	nthreads              int
	sub                   string // canonical name: compress, decompress, append, info, verify
	subName               string // as given: "c" or "compress"
	vals                  map[string]string
	flags                 map[string]bool
	pos                   []string
	chunkSize             int64
	typesize, clevel      int
	maxApp                int64
}

// blpkExit ends parsing: text for stdout and stderr and the exit status.
type blpkExit struct {
	stdout, stderr string
	code           int
}

var negNumRe = regexp.MustCompile(`^-\d+$|^-\d*\.\d+$`)

func isOptionLike(s string) bool { return len(s) > 1 && s[0] == '-' && !negNumRe.MatchString(s) }

func argError(usage, prog, msg string) *blpkExit {
	return &blpkExit{stderr: usage + prog + ": error: " + msg + "\n", code: 2}
}

func logError(msg string, code int) *blpkExit {
	var b strings.Builder
	for _, l := range strings.Split(msg, "\n") {
		if l != "" {
			b.WriteString("blpk: error: " + l + "\n")
		}
	}
	return &blpkExit{stdout: b.String(), code: code}
}

// parseBlpk parses argv (after the program name).
func parseBlpk(args []string, ncores int) (*blpkArgs, *blpkExit) {
	a := &blpkArgs{nthreads: ncores, vals: map[string]string{}, flags: map[string]bool{},
		typesize: 8, clevel: 7, chunkSize: bloscpack.DefaultChunkSize, maxApp: -1}
	mainErr := func(msg string) *blpkExit { return argError(blpkMainUsage, "blpk", msg) }
	var unrecognized []string
	i := 0
	for ; i < len(args); i++ {
		s := args[i]
		if !isOptionLike(s) {
			break
		}
		name, val, hasVal := strings.Cut(s, "=")
		if !strings.HasPrefix(s, "--") {
			name, val, hasVal = s[:2], s[2:], len(s) > 2
		}
		if strings.HasPrefix(name, "--") {
			name = expandLong(name, []string{"--help", "--version", "--verbose", "--debug", "--force", "--nthreads"})
		}
		switch name {
		case "-h", "--help":
			return nil, &blpkExit{stdout: blpkHelpText(ncores)}
		case "--version":
			return nil, &blpkExit{stdout: "bloscpack: '0.16.0' python-blosc: 'ringvault " + Version + "' blosc: '1.21.3'\n"}
		case "-v", "--verbose", "-d", "--debug", "-f", "--force":
			if hasVal && !strings.HasPrefix(name, "--") { // combined short flags: -vf
				args = append(args[:i+1], append([]string{"-" + val}, args[i+1:]...)...)
			}
			switch name {
			case "-v", "--verbose":
				if a.debug {
					return nil, mainErr("argument -v/--verbose: not allowed with argument -d/--debug")
				}
				a.verbose = true
			case "-d", "--debug":
				if a.verbose {
					return nil, mainErr("argument -d/--debug: not allowed with argument -v/--verbose")
				}
				a.debug = true
			default:
				a.force = true
			}
		case "-n", "--nthreads":
			if !hasVal {
				if i+1 >= len(args) || isOptionLike(args[i+1]) {
					return nil, mainErr("argument -n/--nthreads: expected one argument")
				}
				i++
				val = args[i]
			}
			n, err := pyInt(val)
			if err != nil {
				return nil, mainErr(fmt.Sprintf("argument -n/--nthreads: invalid int value: '%s'", val))
			}
			if n < 1 || n > blosc.MaxThreads {
				return nil, logError(fmt.Sprintf("%s must be 1 <= n <= %d", name, blosc.MaxThreads), 1)
			}
			a.nthreads = int(n)
		default:
			unrecognized = append(unrecognized, s)
		}
	}
	if i >= len(args) {
		if len(unrecognized) > 0 {
			return nil, mainErr("unrecognized arguments: " + strings.Join(unrecognized, " "))
		}
		return a, nil // no subcommand: runBlpk prints "too few arguments"
	}
	sub, ok := blpkSubs[args[i]]
	if !ok {
		return nil, mainErr(fmt.Sprintf("argument : invalid choice: '%s' (choose from %s)", args[i], quoteList(blpkSubNames)))
	}
	a.sub, a.subName = sub.name, sub.name
	if sub.aliasOf != "" {
		a.sub = sub.aliasOf
	}
	rest, exit := a.parseSub(sub, args[i+1:])
	if exit != nil {
		return nil, exit
	}
	unrecognized = append(unrecognized, rest...)
	if len(unrecognized) > 0 {
		return nil, mainErr("unrecognized arguments: " + strings.Join(unrecognized, " "))
	}
	return a, nil
}

func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = "'" + s + "'"
	}
	return strings.Join(q, ", ")
}

// expandLong resolves an unambiguous prefix of a long option (argparse's
// allow_abbrev); anything else is returned unchanged.
func expandLong(name string, longs []string) string {
	var hit []string
	for _, l := range longs {
		if l == name {
			return l
		}
		if strings.HasPrefix(l, name) {
			hit = append(hit, l)
		}
	}
	if len(hit) == 1 {
		return hit[0]
	}
	return name
}

// pyInt is Python's int(str): optional sign, digits, underscores between
// digits, surrounding whitespace.
func pyInt(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.Contains(t, "__") || strings.HasPrefix(strings.TrimLeft(t, "+-"), "_") || strings.HasSuffix(t, "_") {
		return 0, fmt.Errorf("invalid literal for int() with base 10: '%s'", s)
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid literal for int() with base 10: '%s'", s)
	}
	return v, nil
}

// parseSub parses a subcommand's arguments and returns the ones it did not
// recognize (reported by the main parser, as argparse does).
func (a *blpkArgs) parseSub(sub *blpkSub, args []string) ([]string, *blpkExit) {
	prog := "blpk " + sub.name
	subErr := func(msg string) *blpkExit { return argError(sub.usageLine(), prog, msg) }
	var longs []string
	for _, o := range sub.opts {
		longs = append(longs, o.long)
	}
	var extra, pos []string
	onlyPos := false
	for i := 0; i < len(args); i++ {
		s := args[i]
		if s == "--" && !onlyPos {
			onlyPos = true
			continue
		}
		if onlyPos || !isOptionLike(s) {
			pos = append(pos, s)
			continue
		}
		if s == "-h" || s == "--help" || (strings.HasPrefix(s, "--h") && strings.HasPrefix("--help", s)) {
			return nil, &blpkExit{stdout: sub.usageLine() + sub.help}
		}
		name, val, hasVal := strings.Cut(s, "=")
		if !strings.HasPrefix(s, "--") {
			name, val, hasVal = s[:2], s[2:], len(s) > 2
		} else {
			name = expandLong(name, append(longs, "--help"))
		}
		var opt *blpkOpt
		for _, o := range sub.opts {
			if name == o.short || name == o.long {
				opt = o
			}
		}
		if opt == nil {
			extra = append(extra, s)
			continue
		}
		if opt.metavar == "" { // a flag
			a.flags[opt.dest] = true
			if hasVal && !strings.HasPrefix(s, "--") {
				args = append(args[:i+1], append([]string{"-" + val}, args[i+1:]...)...)
			} else if hasVal {
				return nil, subErr(fmt.Sprintf("argument %s: ignored explicit argument '%s'", opt.name(), val))
			}
			continue
		}
		if !hasVal {
			if i+1 >= len(args) || isOptionLike(args[i+1]) {
				return nil, subErr(fmt.Sprintf("argument %s: expected one argument", opt.nameFor()))
			}
			i++
			val = args[i]
		}
		if exit := a.setOpt(opt, name, val, subErr); exit != nil {
			return nil, exit
		}
	}
	var missing []string
	for i, p := range sub.pos {
		if strings.HasSuffix(p, "?") {
			continue
		}
		if i >= len(pos) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return nil, subErr("the following arguments are required: " + strings.Join(missing, ", "))
	}
	if len(pos) > len(sub.pos) {
		extra = append(extra, pos[len(sub.pos):]...)
		pos = pos[:len(sub.pos)]
	}
	a.pos = pos
	return extra, nil
}

func (o *blpkOpt) nameFor() string {
	if o.short == "" {
		return o.long
	}
	return o.name()
}

// setOpt converts and checks one option value.
func (a *blpkArgs) setOpt(o *blpkOpt, given, val string, subErr func(string) *blpkExit) *blpkExit {
	switch o.kind {
	case 'i':
		n, err := pyInt(val)
		if err != nil {
			return subErr(fmt.Sprintf("argument %s: invalid int value: '%s'", o.nameFor(), val))
		}
		if o.choices != nil && (n < 0 || n > 9) {
			return subErr(fmt.Sprintf("argument %s: invalid choice: %d (choose from %s)", o.name(), n, strings.Join(o.choices, ", ")))
		}
		switch o.dest {
		case "typesize":
			a.typesize = int(n)
		case "clevel":
			a.clevel = int(n)
		case "max_app_chunks":
			if n < 0 {
				return logError("--max-app-chunks must be >= 0", 1)
			}
			a.maxApp = n
		}
	case 'c':
		ok := false
		for _, c := range o.choices {
			ok = ok || c == val
		}
		if !ok {
			return subErr(fmt.Sprintf("argument %s: invalid choice: '%s' (choose from %s)", o.name(), val, quoteList(o.choices)))
		}
		a.vals[o.dest] = val
	default:
		if o.dest == "chunk_size" {
			n, err := bloscpack.ParseSize(val)
			if err != nil {
				return logError(fmt.Sprintf("%s error: %s", given, err), 1)
			}
			if n < 0 {
				return logError(given+" must be > 0", 1)
			}
			a.chunkSize = n
		}
		a.vals[o.dest] = val
	}
	return nil
}
