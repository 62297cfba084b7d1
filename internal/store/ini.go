package store

import (
	"fmt"
	"strings"
)

// iniSection is one [section] of a carbon config file, its keys lowercased
// as Python's ConfigParser does (optionxform), in file order.
type iniSection struct {
	name string
	line int
	keys map[string]string
}

// parseINI reads the subset of Python 3's configparser.ConfigParser that
// carbon's OrderedConfigParser uses: [section] headers, "key = value" or
// "key: value" lines, full-line comments starting with '#' or ';', indented
// continuation lines, a [DEFAULT] section inherited by every other, and
// BasicInterpolation ("%%" is a literal '%', "%(key)s" another key of the
// section). A duplicate section or key is an error, as in strict mode.
func parseINI(file, text string) ([]iniSection, error) {
	var secs []iniSection
	defaults := map[string]string{}
	var cur map[string]string
	lastKey := ""
	for i, raw := range strings.Split(text, "\n") {
		ln := i + 1
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
			if trimmed == "" {
				lastKey = ""
			}
			continue
		}
		if len(trimmed) < len(line) && lastKey != "" && cur != nil {
			// An indented line continues the previous value.
			cur[lastKey] += "\n" + trimmed
			continue
		}
		if trimmed[0] == '[' {
			end := strings.IndexByte(trimmed, ']')
			if end < 0 {
				return nil, fmt.Errorf("%s:%d: section header %q has no closing ']'", file, ln, trimmed)
			}
			name := trimmed[1:end]
			if name == "DEFAULT" {
				cur = defaults
			} else {
				for _, s := range secs {
					if s.name == name {
						return nil, fmt.Errorf("%s:%d: section [%s] appears twice (first at line %d)", file, ln, name, s.line)
					}
				}
				secs = append(secs, iniSection{name: name, line: ln, keys: map[string]string{}})
				cur = secs[len(secs)-1].keys
			}
			lastKey = ""
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("%s:%d: %q comes before any [section] header", file, ln, trimmed)
		}
		sep := strings.IndexAny(trimmed, "=:")
		if sep <= 0 {
			return nil, fmt.Errorf("%s:%d: expected \"key = value\", got %q", file, ln, trimmed)
		}
		key := strings.ToLower(strings.TrimSpace(trimmed[:sep]))
		if _, dup := cur[key]; dup {
			return nil, fmt.Errorf("%s:%d: key %q set twice in one section", file, ln, key)
		}
		cur[key] = strings.TrimSpace(trimmed[sep+1:])
		lastKey = key
	}
	for i := range secs {
		for k, v := range defaults {
			if _, ok := secs[i].keys[k]; !ok {
				secs[i].keys[k] = v
			}
		}
		for k, v := range secs[i].keys {
			iv, err := interpolate(v, secs[i].keys, 0)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: [%s] %s: %v", file, secs[i].line, secs[i].name, k, err)
			}
			secs[i].keys[k] = iv
		}
	}
	return secs, nil
}

// interpolate is configparser.BasicInterpolation.
func interpolate(v string, keys map[string]string, depth int) (string, error) {
	if !strings.Contains(v, "%") {
		return v, nil
	}
	if depth > 10 {
		return "", fmt.Errorf("interpolation too deep (a reference loop?)")
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		switch {
		case i+1 < len(v) && v[i+1] == '%':
			b.WriteByte('%')
			i++
		case i+1 < len(v) && v[i+1] == '(':
			end := strings.Index(v[i:], ")s")
			if end < 0 {
				return "", fmt.Errorf("bad interpolation syntax in %q", v)
			}
			ref := strings.ToLower(v[i+2 : i+end])
			rv, ok := keys[ref]
			if !ok {
				return "", fmt.Errorf("%q refers to unknown key %q", v, ref)
			}
			rv, err := interpolate(rv, keys, depth+1)
			if err != nil {
				return "", err
			}
			b.WriteString(rv)
			i += end + 1
		default:
			return "", fmt.Errorf("'%%' must be followed by '%%' or '(' in %q (write %%%% for a literal %%)", v)
		}
	}
	return b.String(), nil
}
