package store

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"ringvault/whisper"
)

// Schema is one section of carbon's storage-schemas.conf: the archives a
// new whisper file gets when its metric name matches.
type Schema struct {
	// Name is the section name.
	Name string
	// Pattern is the regular expression searched (not anchored) in the
	// metric name; nil matches every name (match-all, or the default).
	Pattern *regexp.Regexp
	// Archives are the retentions, parsed with whisper.ParseRetentionDef.
	Archives []whisper.ArchiveSpec
}

// Aggregation is one section of carbon's storage-aggregation.conf.
type Aggregation struct {
	Name    string
	Pattern *regexp.Regexp // nil matches every name
	// XFilesFactor is nil when the section does not set it (whisper's
	// default 0.5 then applies).
	XFilesFactor *float64
	// Method is 0 when the section does not set it (whisper's default,
	// average).
	Method whisper.AggregationMethod
}

// DefaultSchema is carbon's built-in fallback (lib/carbon/storage.py
// defaultSchema): one archive of 60-second points kept for 7 days. It is
// appended after the file's sections, so it applies when none matches or
// when there is no file.
func DefaultSchema() Schema {
	return Schema{Name: "default", Archives: []whisper.ArchiveSpec{{SecondsPerPoint: 60, Points: 60 * 24 * 7}}}
}

// DefaultAggregation is carbon's fallback: whisper's defaults (average,
// xFilesFactor 0.5).
func DefaultAggregation() Aggregation { return Aggregation{Name: "default"} }

// Warning is a section carbon would log and skip.
type Warning struct {
	File, Section string
	Err           error
}

func (w Warning) String() string {
	return fmt.Sprintf("%s: [%s] skipped: %v", w.File, w.Section, w.Err)
}

// LoadSchemas reads a storage-schemas.conf as carbon's loadStorageSchemas
// does: sections in file order, each with "pattern = REGEX" or
// "match-all = <any non-empty value>" and "retentions =
// PRECISION:DURATION[,...]"; the built-in DefaultSchema is appended last.
// path == "" means no file: only the default. A missing or malformed
// retention or pattern is an error (carbon fails to start); a section
// whose archives whisper refuses (validateArchiveList) is skipped and
// returned as a warning, as carbon logs and skips it.
func LoadSchemas(path string) ([]Schema, []Warning, error) {
	if path == "" {
		return []Schema{DefaultSchema()}, nil, nil
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("store: storage schemas: %w", err)
	}
	return ParseSchemas(path, string(text))
}

// ParseSchemas is LoadSchemas on the file's text; file names it in errors.
func ParseSchemas(file, text string) ([]Schema, []Warning, error) {
	secs, err := parseINI(file, text)
	if err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	var out []Schema
	var warns []Warning
	for _, sec := range secs {
		re, err := sectionPattern(file, sec)
		if err != nil {
			return nil, nil, err
		}
		ret, ok := sec.keys["retentions"]
		if !ok {
			return nil, nil, fmt.Errorf("store: %s:%d: [%s] has no retentions = ... line", file, sec.line, sec.name)
		}
		var archives []whisper.ArchiveSpec
		for _, def := range strings.Split(ret, ",") {
			a, err := whisper.ParseRetentionDef(strings.TrimSpace(def))
			if err != nil {
				return nil, nil, fmt.Errorf("store: %s:%d: [%s] retentions %q: %w", file, sec.line, sec.name, def, err)
			}
			archives = append(archives, a)
		}
		check := append([]whisper.ArchiveSpec(nil), archives...)
		if err := whisper.ValidateArchiveList(check); err != nil {
			warns = append(warns, Warning{file, sec.name, err})
			continue
		}
		out = append(out, Schema{Name: sec.name, Pattern: re, Archives: check})
	}
	return append(out, DefaultSchema()), warns, nil
}

// LoadAggregations reads a storage-aggregation.conf as carbon's
// loadAggregationSchemas does: "pattern" or "match-all", optional
// "xFilesFactor" (a float in [0, 1]) and "aggregationMethod" (average,
// sum, last, max, min, avg_zero, absmax, absmin); DefaultAggregation is
// appended last. A section with an invalid xFilesFactor or method is
// skipped with a warning, as carbon does. path == "" means no file.
func LoadAggregations(path string) ([]Aggregation, []Warning, error) {
	if path == "" {
		return []Aggregation{DefaultAggregation()}, nil, nil
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("store: storage aggregation: %w", err)
	}
	return ParseAggregations(path, string(text))
}

// ParseAggregations is LoadAggregations on the file's text.
func ParseAggregations(file, text string) ([]Aggregation, []Warning, error) {
	secs, err := parseINI(file, text)
	if err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	var out []Aggregation
	var warns []Warning
	for _, sec := range secs {
		re, err := sectionPattern(file, sec)
		if err != nil {
			return nil, nil, err
		}
		a := Aggregation{Name: sec.name, Pattern: re}
		if s, ok := sec.keys["xfilesfactor"]; ok {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || !(x >= 0 && x <= 1) {
				warns = append(warns, Warning{file, sec.name, fmt.Errorf("xFilesFactor %q is not a number between 0 and 1", s)})
				continue
			}
			a.XFilesFactor = &x
		}
		if s, ok := sec.keys["aggregationmethod"]; ok {
			m, err := whisper.ParseAggregationMethod(s)
			if err != nil {
				warns = append(warns, Warning{file, sec.name, err})
				continue
			}
			a.Method = m
		}
		out = append(out, a)
	}
	return append(out, DefaultAggregation()), warns, nil
}

// sectionPattern returns the section's regexp, nil for match-all. carbon
// treats any non-empty match-all value as true and ignores pattern then.
func sectionPattern(file string, sec iniSection) (*regexp.Regexp, error) {
	if sec.keys["match-all"] != "" {
		return nil, nil
	}
	if _, ok := sec.keys["list"]; ok && sec.keys["pattern"] == "" {
		return nil, fmt.Errorf("store: %s:%d: [%s] uses list = (whitelist files), which ringvault does not support; use pattern =", file, sec.line, sec.name)
	}
	p := sec.keys["pattern"]
	if p == "" {
		return nil, fmt.Errorf("store: %s:%d: [%s] has neither pattern = nor match-all =", file, sec.line, sec.name)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("store: %s:%d: [%s] pattern %q (Go RE2 syntax: no lookaround or backreferences): %w", file, sec.line, sec.name, p, err)
	}
	return re, nil
}

// MatchSchema returns the first schema whose pattern is found in name
// (carbon: first match wins, re.search). The list always ends with a
// match-all default, so it never fails for lists from LoadSchemas.
func MatchSchema(schemas []Schema, name string) (Schema, bool) {
	for _, s := range schemas {
		if s.Pattern == nil || s.Pattern.MatchString(name) {
			return s, true
		}
	}
	return Schema{}, false
}

// MatchAggregation returns the first aggregation rule matching name.
func MatchAggregation(aggs []Aggregation, name string) Aggregation {
	for _, a := range aggs {
		if a.Pattern == nil || a.Pattern.MatchString(name) {
			return a
		}
	}
	return DefaultAggregation()
}
