package graphite

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Alias, filter and sort functions.

func init() {
	register("alias", "Renames every series to newName.", func(e *evaluator, a *args) ([]*series, error) {
		list, n := a.series(0), a.str(1, "")
		for _, s := range list {
			s.name = n
		}
		return list, nil
	})
	register("aliasSub", "Renames each series with a regular expression substitution (Python re.sub: \\1 or \\g<name> refer to groups).", func(e *evaluator, a *args) ([]*series, error) {
		list, search, replace := a.series(0), a.str(1, ""), a.str(2, "")
		if a.err != nil {
			return nil, nil
		}
		re, err := compilePyRegexp(search)
		if err != nil {
			return nil, err
		}
		for _, s := range list {
			s.name, err = pySub(re, replace, s.name, 0)
			if err != nil {
				return nil, err
			}
		}
		return list, nil
	})
	register("aliasByNode", "Renames each series to the given nodes (or tags) of its path, joined by dots.", aliasByNode)
	register("aliasByTags", "Renames each series to the given tags (or nodes), joined by dots.", aliasByNode)
	register("aliasByMetric", "Renames each series to the last node of its path.", func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		for _, s := range list {
			left := strings.LastIndexByte(s.name, '(') + 1
			right := strings.IndexByte(s.name, ')')
			if right < 0 {
				right = len(s.name)
			}
			clean := ""
			if left <= right {
				clean = s.name[left:right]
			}
			nodes := strings.Split(clean, ".")
			n := nodes[len(nodes)-1]
			if i := strings.IndexByte(n, ','); i >= 0 {
				n = n[:i]
			}
			s.name = n
		}
		return list, nil
	})
	for _, f := range []struct {
		name, agg string
		rev       bool
		desc      string
	}{
		{"highestCurrent", "current", true, "The n series with the highest last value."},
		{"highestAverage", "average", true, "The n series with the highest average."},
		{"highestMax", "max", true, "The n series with the highest maximum."},
		{"lowestCurrent", "current", false, "The n series with the lowest last value."},
		{"lowestAverage", "average", false, "The n series with the lowest average."},
	} {
		register(f.name, f.desc, func(e *evaluator, a *args) ([]*series, error) {
			return highest(a.series(0), a.int(1, 1), f.agg, f.rev)
		})
	}
	register("highest", "The n series with the highest value of an aggregation function (default average).", func(e *evaluator, a *args) ([]*series, error) {
		return highest(a.series(0), a.int(1, 1), a.str(2, "average"), true)
	})
	register("lowest", "The n series with the lowest value of an aggregation function (default average).", func(e *evaluator, a *args) ([]*series, error) {
		return highest(a.series(0), a.int(1, 1), a.str(2, "average"), false)
	})
	register("limit", "The first n series.", func(e *evaluator, a *args) ([]*series, error) {
		list, n := a.series(0), a.int(1, 0)
		return pySlice(list, n), nil
	})
	register("sortByMaxima", "Sorts the series by their maximum, largest first.", func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		sortSeriesStable(list, func(s *series) float64 { return safeMax(s.points()) }, true)
		return list, nil
	})
	register("sortByMinima", "Sorts the series by their minimum, smallest first, dropping series whose maximum is not above 0.", func(e *evaluator, a *args) ([]*series, error) {
		var list []*series
		for _, s := range a.series(0) {
			if m := safeMax(s.points()); !isNull(m) && m > 0 {
				list = append(list, s)
			}
		}
		sortSeriesStable(list, func(s *series) float64 { return safeMin(s.points()) }, false)
		return list, nil
	})
	register("sortByTotal", "Sorts the series by the sum of their values, largest first.", func(e *evaluator, a *args) ([]*series, error) {
		list := a.series(0)
		sortSeriesStable(list, func(s *series) float64 { return safeSum(s.points()) }, true)
		return list, nil
	})
	register("sortByName", "Sorts the series by name (natural=true compares numbers by value).", sortByName)
	register("exclude", "Drops the series whose name matches a regular expression.", grepFunc(false))
	register("grep", "Keeps the series whose name matches a regular expression.", grepFunc(true))
}

func aliasByNode(e *evaluator, a *args) ([]*series, error) {
	list, nodes := a.series(0), a.anys(1)
	for _, s := range list {
		s.name = aggKey(s, nodes)
	}
	return list, nil
}

// pySlice is Python's list[:n] (negative n counts from the end).
func pySlice(list []*series, n int) []*series {
	if n < 0 {
		n += len(list)
	}
	return list[:max(0, min(n, len(list)))]
}

func highest(list []*series, n int, fn string, rev bool) ([]*series, error) {
	agg, err := getAggFunc(fn)
	if err != nil {
		return nil, err
	}
	sortSeriesStable(list, func(s *series) float64 { return agg(s.points()) }, rev)
	return pySlice(list, n), nil
}

var digitsRun = regexp.MustCompile(`\d+`)

func sortByName(e *evaluator, a *args) ([]*series, error) {
	list, natural, rev := a.series(0), a.boolean(1, false), a.boolean(2, false)
	key := func(s *series) string { return s.name }
	if natural {
		key = func(s *series) string {
			return digitsRun.ReplaceAllStringFunc(s.name, func(d string) string {
				n, err := strconv.ParseUint(d, 10, 64)
				if err != nil {
					return d
				}
				return fmt.Sprintf("%010d", n)
			})
		}
	}
	keys := make(map[*series]string, len(list))
	for _, s := range list {
		keys[s] = key(s)
	}
	sortStable(list, func(x, y *series) bool {
		if rev {
			return keys[x] > keys[y]
		}
		return keys[x] < keys[y]
	})
	return list, nil
}

func grepFunc(keep bool) func(e *evaluator, a *args) ([]*series, error) {
	return func(e *evaluator, a *args) ([]*series, error) {
		list, pat := a.series(0), a.str(1, "")
		if a.err != nil {
			return nil, nil
		}
		re, err := compilePyRegexp(pat)
		if err != nil {
			return nil, err
		}
		var out []*series
		for _, s := range list {
			if re.MatchString(s.name) == keep {
				out = append(out, s)
			}
		}
		return out, nil
	}
}

// compilePyRegexp compiles a Python regular expression with Go's RE2
// (linear time); constructs RE2 lacks (backreferences, lookaround) are a
// clear error rather than a slow match.
func compilePyRegexp(pat string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, fmt.Errorf("%w: regular expression %q: %v", ErrBadArgument, pat, err)
	}
	return re, nil
}

// pySub is Python's re.sub(pattern, repl, s, count): repl may refer to
// groups as \1..\99, \g<1> or \g<name>, and holds Python's escapes
// (\n, \t, \\). Since Python 3.7 an empty match right after a previous
// match is replaced too; RE2 skips it, the one difference.
func pySub(re *regexp.Regexp, repl, s string, count int) (string, error) {
	var b strings.Builder
	last, n := 0, 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		if count > 0 && n >= count {
			break
		}
		b.WriteString(s[last:m[0]])
		if err := expandPyRepl(&b, re, repl, s, m); err != nil {
			return "", err
		}
		last = m[1]
		n++
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

func expandPyRepl(b *strings.Builder, re *regexp.Regexp, repl, s string, m []int) error {
	group := func(i int) error {
		if i < 0 || 2*i+1 >= len(m) {
			return fmt.Errorf("%w: invalid group reference %d in %q", ErrBadArgument, i, repl)
		}
		if m[2*i] >= 0 {
			b.WriteString(s[m[2*i]:m[2*i+1]])
		}
		return nil
	}
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '\\' || i+1 >= len(repl) {
			b.WriteByte(c)
			continue
		}
		i++
		c = repl[i]
		switch {
		case c >= '0' && c <= '9':
			j := i + 1
			if j < len(repl) && repl[j] >= '0' && repl[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(repl[i:j])
			if err := group(n); err != nil {
				return err
			}
			i = j - 1
		case c == 'g' && i+1 < len(repl) && repl[i+1] == '<':
			end := strings.IndexByte(repl[i:], '>')
			if end < 0 {
				return fmt.Errorf("%w: missing > in group reference in %q", ErrBadArgument, repl)
			}
			name := repl[i+2 : i+end]
			n, err := strconv.Atoi(name)
			if err != nil {
				n = re.SubexpIndex(name)
				if n < 0 {
					return fmt.Errorf("%w: unknown group name %q in %q", ErrBadArgument, name, repl)
				}
			}
			if err := group(n); err != nil {
				return err
			}
			i += end
		case c == 'n':
			b.WriteByte('\n')
		case c == 't':
			b.WriteByte('\t')
		case c == 'r':
			b.WriteByte('\r')
		case c == '\\':
			b.WriteByte('\\')
		default:
			// Python keeps unknown escapes of punctuation as written.
			b.WriteByte('\\')
			b.WriteByte(c)
		}
	}
	return nil
}
