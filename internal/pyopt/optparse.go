package pyopt

import (
	"fmt"
	"sort"
	"strings"
)

// Option is one optparse option (add_option).
type Option struct {
	Short   string // "-t", or ""
	Long    string // "--time-format", or ""
	Dest    string // defaults to Long without dashes, '-' turned into '_'
	Action  Action
	Type    Type
	Choices []string
	Metavar string // defaults to Dest in upper case
	Help    string
	Default any // string, int64, float64, bool or nil (None)
	// Hidden leaves the option out of the help (optparse's SUPPRESS_HELP).
	Hidden bool
	// Exact makes the option match only when spelled in full, so that an
	// added option does not change which abbreviations are ambiguous.
	Exact bool
}

func (o *Option) dest() string {
	if o.Dest != "" {
		return o.Dest
	}
	n := strings.TrimLeft(o.Long, "-")
	if n == "" {
		n = strings.TrimLeft(o.Short, "-")
	}
	return strings.ReplaceAll(n, "-", "_")
}

func (o *Option) takesValue() bool { return o.Action == Store }

// OptionParser is optparse.OptionParser with the IndentedHelpFormatter.
// A "-h, --help" option comes first, as add_help_option does.
type OptionParser struct {
	Prog        string // the program name (%prog)
	Usage       string // with %prog; "" means "%prog [options]"
	Description string
	Options     []*Option
	// Columns is $COLUMNS (0 or unset: 80); the help is 2 narrower.
	Columns int
}

var helpOption = &Option{Short: "-h", Long: "--help", Action: Help, Help: "show this help message and exit"}

func (p *OptionParser) options() []*Option {
	return append([]*Option{helpOption}, p.Options...)
}

func (p *OptionParser) usage() string {
	u := p.Usage
	if u == "" {
		u = "%prog [options]"
	}
	return strings.ReplaceAll(u, "%prog", p.Prog)
}

// FormatUsage is get_usage(): "Usage: ...\n".
func (p *OptionParser) FormatUsage() string { return "Usage: " + p.usage() + "\n" }

func (p *OptionParser) width() int {
	if p.Columns > 0 {
		return p.Columns - 2
	}
	return 78
}

// FormatHelp is format_help(): usage, description and the options.
func (p *OptionParser) FormatHelp() string {
	width := p.width()
	var b strings.Builder
	b.WriteString(p.FormatUsage() + "\n")
	if p.Description != "" {
		desc := strings.ReplaceAll(p.Description, "%prog", p.Prog)
		b.WriteString(fill(desc, max(width, 11), "") + "\n\n")
	}
	b.WriteString("Options:\n")
	var opts []*Option
	for _, o := range p.options() {
		if !o.Hidden {
			opts = append(opts, o)
		}
	}
	strs := make([]string, len(opts))
	maxLen := 0
	for i, o := range opts {
		strs[i] = optionStrings(o)
		maxLen = max(maxLen, len(strs[i])+2)
	}
	maxHelpPos := min(24, max(width-20, 4))
	helpPos := min(maxLen+2, maxHelpPos)
	helpWidth := max(width-helpPos, 11)
	for i, o := range opts {
		optWidth := helpPos - 2 - 2
		indentFirst := 0
		if len(strs[i]) > optWidth {
			b.WriteString("  " + strs[i] + "\n")
			indentFirst = helpPos
		} else {
			fmt.Fprintf(&b, "  %-*s  ", optWidth, strs[i])
		}
		if o.Help != "" {
			lines := wrap(o.Help, helpWidth)
			fmt.Fprintf(&b, "%*s%s\n", indentFirst, "", lines[0])
			for _, l := range lines[1:] {
				fmt.Fprintf(&b, "%*s%s\n", helpPos, "", l)
			}
		} else if indentFirst == 0 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func optionStrings(o *Option) string {
	var parts []string
	if o.takesValue() {
		mv := o.Metavar
		if mv == "" {
			mv = strings.ToUpper(o.dest())
		}
		if o.Short != "" {
			parts = append(parts, o.Short+" "+mv)
		}
		if o.Long != "" {
			parts = append(parts, o.Long+"="+mv)
		}
	} else {
		for _, s := range []string{o.Short, o.Long} {
			if s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, ", ")
}

// Error is OptionParser.error(msg): usage and "prog: error: msg" on stderr,
// exit status 2.
func (p *OptionParser) Error(msg string) *Exit {
	return &Exit{Code: 2, Stderr: p.FormatUsage() + "\n" + p.Prog + ": error: " + msg + "\n"}
}

// HelpExit is print_help() followed by sys.exit(code), which the peer
// scripts do when they get the wrong number of arguments.
func (p *OptionParser) HelpExit(code int) *Exit {
	return &Exit{Code: code, Stdout: p.FormatHelp()}
}

// UsageExit is print_usage() followed by sys.exit(code).
func (p *OptionParser) UsageExit(code int) *Exit {
	return &Exit{Code: code, Stdout: p.FormatUsage() + "\n"}
}

// Parse is parse_args(args): the option values and the remaining
// positional arguments, or the Exit that optparse would have caused.
func (p *OptionParser) Parse(args []string) (*Values, []string, *Exit) {
	vals := newValues()
	opts := p.options()
	longs := map[string]*Option{}
	shorts := map[string]*Option{}
	for _, o := range opts {
		if o.Action != Help {
			vals.m[o.dest()] = o.Default
		}
		if o.Long != "" {
			longs[o.Long] = o
		}
		if o.Short != "" {
			shorts[o.Short] = o
		}
	}
	var pos []string
	rargs := append([]string(nil), args...)
	for len(rargs) > 0 {
		arg := rargs[0]
		switch {
		case arg == "--":
			return vals, append(pos, rargs[1:]...), nil
		case strings.HasPrefix(arg, "--"):
			rargs = rargs[1:]
			name, value, explicit := strings.Cut(arg, "=")
			full, ex := p.matchLong(name, longs)
			if ex != nil {
				return nil, nil, ex
			}
			o := longs[full]
			if o.takesValue() {
				if !explicit {
					if len(rargs) == 0 {
						return nil, nil, p.Error(full + " option requires 1 argument")
					}
					value, rargs = rargs[0], rargs[1:]
				}
			} else if explicit {
				return nil, nil, p.Error(full + " option does not take a value")
			}
			if ex := p.process(o, full, value, vals); ex != nil {
				return nil, nil, ex
			}
		case len(arg) > 1 && arg[0] == '-':
			rargs = rargs[1:]
			for i := 1; i < len(arg); i++ {
				name := "-" + arg[i:i+1]
				o := shorts[name]
				if o == nil {
					return nil, nil, p.Error("no such option: " + name)
				}
				var value string
				if o.takesValue() {
					if i+1 < len(arg) {
						value = arg[i+1:]
						i = len(arg)
					} else if len(rargs) == 0 {
						return nil, nil, p.Error(name + " option requires 1 argument")
					} else {
						value, rargs = rargs[0], rargs[1:]
					}
				}
				if ex := p.process(o, name, value, vals); ex != nil {
					return nil, nil, ex
				}
			}
		default:
			pos = append(pos, arg)
			rargs = rargs[1:]
		}
	}
	return vals, pos, nil
}

func (p *OptionParser) matchLong(s string, longs map[string]*Option) (string, *Exit) {
	if _, ok := longs[s]; ok {
		return s, nil
	}
	var poss []string
	for l, o := range longs {
		if !o.Exact && strings.HasPrefix(l, s) {
			poss = append(poss, l)
		}
	}
	switch len(poss) {
	case 1:
		return poss[0], nil
	case 0:
		return "", p.Error("no such option: " + s)
	}
	sort.Strings(poss)
	return "", p.Error(fmt.Sprintf("ambiguous option: %s (%s?)", s, strings.Join(poss, ", ")))
}

func (p *OptionParser) process(o *Option, name, value string, vals *Values) *Exit {
	d := o.dest()
	switch o.Action {
	case Help:
		return p.HelpExit(0)
	case StoreTrue:
		vals.m[d] = true
		vals.set[d] = true
		return nil
	}
	switch o.Type {
	case Int:
		n, ok := ParseInt(value)
		if !ok {
			return p.Error(fmt.Sprintf("option %s: invalid integer value: %s", name, Repr(value)))
		}
		vals.m[d] = n
	case Float:
		f, ok := ParseFloat(value)
		if !ok {
			return p.Error(fmt.Sprintf("option %s: invalid floating-point value: %s", name, Repr(value)))
		}
		vals.m[d] = f
	case Choice:
		found := false
		for _, c := range o.Choices {
			found = found || c == value
		}
		if !found {
			qs := make([]string, len(o.Choices))
			for i, c := range o.Choices {
				qs[i] = Repr(c)
			}
			return p.Error(fmt.Sprintf("option %s: invalid choice: %s (choose from %s)", name, Repr(value), strings.Join(qs, ", ")))
		}
		vals.m[d] = value
	default:
		vals.m[d] = value
	}
	vals.set[d] = true
	return nil
}
