package pyopt

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Argument is one argparse argument (add_argument): an option when Flags
// is set, else a positional argument.
type Argument struct {
	Flags   []string // {"-t", "--time-format"}; empty for a positional
	Dest    string   // defaults to the first long flag, or Metavar
	Metavar string
	Action  Action // Store or StoreTrue
	Type    Type
	Choices []string
	Nargs   string // "" (exactly one), "?", "*" or "+"
	Help    string
	Default any
}

func (a *Argument) positional() bool { return len(a.Flags) == 0 }

func (a *Argument) dest() string {
	if a.Dest != "" {
		return a.Dest
	}
	if a.positional() {
		return a.Metavar
	}
	name := a.Flags[0]
	for _, f := range a.Flags {
		if strings.HasPrefix(f, "--") {
			name = f
			break
		}
	}
	return strings.ReplaceAll(strings.TrimLeft(name, "-"), "-", "_")
}

func (a *Argument) metavar() string {
	if a.Metavar != "" {
		return a.Metavar
	}
	if len(a.Choices) > 0 {
		return "{" + strings.Join(a.Choices, ",") + "}"
	}
	if a.positional() {
		return a.dest()
	}
	return strings.ToUpper(a.dest())
}

func (a *Argument) minArgs() int {
	if a.Nargs == "" || a.Nargs == "+" {
		return 1
	}
	return 0
}

// ArgumentParser is argparse.ArgumentParser with the default HelpFormatter
// and a "-h, --help" option first.
type ArgumentParser struct {
	Prog        string
	Description string
	Arguments   []*Argument
	// Columns is the terminal width ($COLUMNS; 0: 80); help is 2 narrower.
	Columns int
}

var argHelp = &Argument{Flags: []string{"-h", "--help"}, Action: Help, Help: "show this help message and exit"}

func (p *ArgumentParser) width() int {
	if p.Columns > 0 {
		return p.Columns - 2
	}
	return 78
}

func (p *ArgumentParser) split() (opts, pos []*Argument) {
	opts = []*Argument{argHelp}
	for _, a := range p.Arguments {
		if a.positional() {
			pos = append(pos, a)
		} else {
			opts = append(opts, a)
		}
	}
	return opts, pos
}

func usagePart(a *Argument) string {
	if a.positional() {
		mv := a.metavar()
		switch a.Nargs {
		case "+":
			return mv + " [" + mv + " ...]"
		case "*":
			return "[" + mv + " ...]"
		case "?":
			return "[" + mv + "]"
		}
		return mv
	}
	s := a.Flags[0]
	if a.Action == Store {
		s += " " + a.metavar()
	}
	return "[" + s + "]"
}

var usagePartRe = regexp.MustCompile(`\(.*?\)+(?:\s|$)|\[.*?\]+(?:\s|$)|\S+`)

func findParts(s string) []string {
	var out []string
	for _, m := range usagePartRe.FindAllString(s, -1) {
		out = append(out, strings.TrimRight(m, " "))
	}
	return out
}

// FormatUsage is format_usage(): "usage: ...\n", wrapped as argparse does.
func (p *ArgumentParser) FormatUsage() string {
	const prefix = "usage: "
	opts, pos := p.split()
	var optU, posU []string
	for _, a := range opts {
		optU = append(optU, usagePart(a))
	}
	for _, a := range pos {
		posU = append(posU, usagePart(a))
	}
	usage := strings.Join(append(append([]string{p.Prog}, optU...), posU...), " ")
	tw := p.width()
	if len(prefix)+len(usage) > tw {
		optParts := findParts(strings.Join(optU, " "))
		posParts := findParts(strings.Join(posU, " "))
		getLines := func(parts []string, indent string, withPrefix bool) []string {
			var lines, line []string
			lineLen := len(indent) - 1
			if withPrefix {
				lineLen = len(prefix) - 1
			}
			for _, part := range parts {
				if lineLen+1+len(part) > tw && len(line) > 0 {
					lines = append(lines, indent+strings.Join(line, " "))
					line = nil
					lineLen = len(indent) - 1
				}
				line = append(line, part)
				lineLen += len(part) + 1
			}
			if len(line) > 0 {
				lines = append(lines, indent+strings.Join(line, " "))
			}
			if withPrefix && len(lines) > 0 {
				lines[0] = lines[0][len(indent):]
			}
			return lines
		}
		var lines []string
		if float64(len(prefix)+len(p.Prog)) <= 0.75*float64(tw) {
			indent := strings.Repeat(" ", len(prefix)+len(p.Prog)+1)
			switch {
			case len(optParts) > 0:
				lines = getLines(append([]string{p.Prog}, optParts...), indent, true)
				lines = append(lines, getLines(posParts, indent, false)...)
			case len(posParts) > 0:
				lines = getLines(append([]string{p.Prog}, posParts...), indent, true)
			default:
				lines = []string{p.Prog}
			}
		} else {
			indent := strings.Repeat(" ", len(prefix))
			lines = getLines(append(optParts, posParts...), indent, false)
			if len(lines) > 1 {
				lines = append(getLines(optParts, indent, false), getLines(posParts, indent, false)...)
			}
			lines = append([]string{p.Prog}, lines...)
		}
		usage = strings.Join(lines, "\n")
	}
	return prefix + usage + "\n"
}

func invocation(a *Argument) string {
	if a.positional() {
		return a.metavar()
	}
	if a.Action != Store {
		return strings.Join(a.Flags, ", ")
	}
	parts := make([]string, len(a.Flags))
	for i, f := range a.Flags {
		parts[i] = f + " " + a.metavar()
	}
	return strings.Join(parts, ", ")
}

// FormatHelp is format_help().
func (p *ArgumentParser) FormatHelp() string {
	width := p.width()
	opts, pos := p.split()
	maxLen := 0
	for _, a := range append(append([]*Argument{}, pos...), opts...) {
		maxLen = max(maxLen, len(invocation(a))+2)
	}
	helpPos := min(maxLen+2, min(24, max(width-20, 4)))
	helpWidth := max(width-helpPos, 11)
	section := func(title string, args []*Argument) string {
		var b strings.Builder
		b.WriteString(title + ":\n")
		for _, a := range args {
			inv := invocation(a)
			actionWidth := helpPos - 2 - 2
			indentFirst := 0
			switch {
			case a.Help == "":
				b.WriteString("  " + inv + "\n")
				continue
			case len(inv) <= actionWidth:
				fmt.Fprintf(&b, "  %-*s  ", actionWidth, inv)
			default:
				b.WriteString("  " + inv + "\n")
				indentFirst = helpPos
			}
			lines := wrap(a.Help, helpWidth)
			fmt.Fprintf(&b, "%*s%s\n", indentFirst, "", lines[0])
			for _, l := range lines[1:] {
				fmt.Fprintf(&b, "%*s%s\n", helpPos, "", l)
			}
		}
		return b.String()
	}
	var parts []string
	parts = append(parts, strings.TrimRight(p.FormatUsage(), "\n"))
	if p.Description != "" {
		parts = append(parts, fill(p.Description, width, ""))
	}
	if len(pos) > 0 {
		parts = append(parts, strings.TrimRight(section("positional arguments", pos), "\n"))
	}
	parts = append(parts, strings.TrimRight(section("options", opts), "\n"))
	return strings.Join(parts, "\n\n") + "\n"
}

// Error is ArgumentParser.error(msg): usage and "prog: error: msg" on
// stderr, exit status 2.
func (p *ArgumentParser) Error(msg string) *Exit {
	return &Exit{Code: 2, Stderr: p.FormatUsage() + p.Prog + ": error: " + msg + "\n"}
}

// HelpExit is print_help() followed by sys.exit(code).
func (p *ArgumentParser) HelpExit(code int) *Exit {
	return &Exit{Code: code, Stdout: p.FormatHelp()}
}

var negNumber = regexp.MustCompile(`^-\d+$|^-\d*\.\d+$`)

// Parse is parse_args(args).
func (p *ArgumentParser) Parse(args []string) (*Values, *Exit) {
	vals := newValues()
	opts, pos := p.split()
	flags := map[string]*Argument{}
	for _, a := range opts {
		for _, f := range a.Flags {
			flags[f] = a
		}
		if a.Action == StoreTrue {
			vals.m[a.dest()] = false
		} else if a.Action == Store {
			vals.m[a.dest()] = a.Default
		}
	}
	for _, a := range pos {
		vals.m[a.dest()] = a.Default
	}
	var extras, chunk []string
	flush := func() *Exit {
		rest, ex := p.consume(chunk, &pos, vals)
		extras = append(extras, rest...)
		chunk = nil
		return ex
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			chunk = append(chunk, args[i+1:]...)
			break
		}
		if len(arg) < 2 || arg[0] != '-' || negNumber.MatchString(arg) || strings.Contains(arg, " ") {
			chunk = append(chunk, arg)
			continue
		}
		if ex := flush(); ex != nil {
			return nil, ex
		}
		name, value, explicit := arg, "", false
		if strings.HasPrefix(arg, "--") {
			name, value, explicit = strings.Cut(arg, "=")
		}
		a, ex := p.matchFlag(name, arg, flags)
		if ex != nil {
			return nil, ex
		}
		if a == nil {
			extras = append(extras, arg)
			continue
		}
		switch a.Action {
		case Help:
			return nil, p.HelpExit(0)
		case StoreTrue:
			if explicit {
				return nil, p.Error(fmt.Sprintf("argument %s: ignored explicit argument %s", strings.Join(a.Flags, "/"), Repr(value)))
			}
			vals.m[a.dest()] = true
			vals.set[a.dest()] = true
			continue
		}
		if !explicit {
			if i+1 >= len(args) || (len(args[i+1]) > 1 && args[i+1][0] == '-' && !negNumber.MatchString(args[i+1])) {
				return nil, p.Error(fmt.Sprintf("argument %s: expected one argument", strings.Join(a.Flags, "/")))
			}
			i++
			value = args[i]
		}
		v, ex := p.convert(a, value)
		if ex != nil {
			return nil, ex
		}
		vals.m[a.dest()] = v
		vals.set[a.dest()] = true
	}
	if ex := flush(); ex != nil {
		return nil, ex
	}
	var required []string
	for _, a := range pos {
		if a.minArgs() > 0 {
			name := a.Metavar
			if name == "" {
				name = a.dest()
			}
			required = append(required, name)
		}
	}
	if len(required) > 0 {
		return nil, p.Error("the following arguments are required: " + strings.Join(required, ", "))
	}
	if len(extras) > 0 {
		return nil, p.Error("unrecognized arguments: " + strings.Join(extras, " "))
	}
	return vals, nil
}

// matchFlag finds the option name stands for, exactly or as the unique
// prefix of a long option (allow_abbrev); nil if there is none.
func (p *ArgumentParser) matchFlag(name, arg string, flags map[string]*Argument) (*Argument, *Exit) {
	if a, ok := flags[name]; ok || !strings.HasPrefix(name, "--") {
		return a, nil
	}
	var poss []string
	for f := range flags {
		if strings.HasPrefix(f, name) {
			poss = append(poss, f)
		}
	}
	sort.Strings(poss)
	switch len(poss) {
	case 0:
		return nil, nil
	case 1:
		return flags[poss[0]], nil
	}
	return nil, p.Error(fmt.Sprintf("ambiguous option: %s could match %s", arg, strings.Join(poss, ", ")))
}

// consume assigns a run of positional strings to as many of the remaining
// positional arguments as can take them, as argparse's consume_positionals.
func (p *ArgumentParser) consume(chunk []string, pos *[]*Argument, vals *Values) ([]string, *Exit) {
	if len(chunk) == 0 {
		return nil, nil
	}
	acts := *pos
	k, need := 0, 0
	for k < len(acts) && need+acts[k].minArgs() <= len(chunk) {
		need += acts[k].minArgs()
		k++
	}
	i := 0
	for j, a := range acts[:k] {
		rest := 0
		for _, b := range acts[j+1 : k] {
			rest += b.minArgs()
		}
		switch a.Nargs {
		case "":
			v, ex := p.convert(a, chunk[i])
			if ex != nil {
				return nil, ex
			}
			vals.m[a.dest()] = v
			i++
		case "?":
			if len(chunk)-i-rest > 0 {
				v, ex := p.convert(a, chunk[i])
				if ex != nil {
					return nil, ex
				}
				vals.m[a.dest()] = v
				i++
			}
		default:
			n := len(chunk) - i - rest
			var list []string
			for _, s := range chunk[i : i+n] {
				if _, ex := p.convert(a, s); ex != nil {
					return nil, ex
				}
				list = append(list, s)
			}
			vals.m[a.dest()] = list
			i += n
		}
		vals.set[a.dest()] = true
	}
	*pos = acts[k:]
	return chunk[i:], nil
}

func (p *ArgumentParser) convert(a *Argument, s string) (any, *Exit) {
	name := a.Metavar
	if name == "" {
		name = a.dest()
	}
	if !a.positional() {
		name = strings.Join(a.Flags, "/")
	}
	switch a.Type {
	case Int:
		n, ok := PyInt(s, 10)
		if !ok {
			return nil, p.Error(fmt.Sprintf("argument %s: invalid int value: %s", name, Repr(s)))
		}
		return n, nil
	case Float:
		f, ok := ParseFloat(s)
		if !ok {
			return nil, p.Error(fmt.Sprintf("argument %s: invalid float value: %s", name, Repr(s)))
		}
		return f, nil
	case Choice:
		for _, c := range a.Choices {
			if c == s {
				return s, nil
			}
		}
		qs := make([]string, len(a.Choices))
		for i, c := range a.Choices {
			qs[i] = Repr(c)
		}
		return nil, p.Error(fmt.Sprintf("argument %s: invalid choice: %s (choose from %s)", name, Repr(s), strings.Join(qs, ", ")))
	}
	return s, nil
}
