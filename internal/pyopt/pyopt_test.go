package pyopt

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"ringvault/internal/pyfmt"
	"ringvault/internal/testutil"
)

// pyLit renders a Go default as a Python literal.
func pyLit(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		b, _ := json.Marshal(x)
		return string(b)
	case int64:
		return fmt.Sprint(x)
	case float64:
		return "float.fromhex('" + strconvHex(x) + "')"
	}
	panic(fmt.Sprintf("pyLit %T", v))
}

func strconvHex(f float64) string { return fmt.Sprintf("%x", f) }

func jsonStr(s string) string { b, _ := json.Marshal(s); return string(b) }

var typeNames = map[Type]string{String: "string", Int: "int", Float: "float", Choice: "choice"}

// optparseSource builds the same parser in Python.
func optparseSource(p *OptionParser) string {
	var b strings.Builder
	fmt.Fprintf(&b, "p = optparse.OptionParser(prog=%s, usage=%s, description=%s)\n",
		jsonStr(p.Prog), jsonStr(p.Usage), pyLit(map[bool]any{true: nil, false: p.Description}[p.Description == ""]))
	for _, o := range p.Options {
		var args []string
		for _, s := range []string{o.Short, o.Long} {
			if s != "" {
				args = append(args, jsonStr(s))
			}
		}
		if o.Dest != "" {
			args = append(args, "dest="+jsonStr(o.Dest))
		}
		if o.Help != "" {
			args = append(args, "help="+jsonStr(o.Help))
		}
		if o.Metavar != "" {
			args = append(args, "metavar="+jsonStr(o.Metavar))
		}
		args = append(args, "default="+pyLit(o.Default))
		if o.Action == StoreTrue {
			args = append(args, "action='store_true'")
		} else {
			args = append(args, "type="+jsonStr(typeNames[o.Type]))
			if o.Type == Choice {
				cs, _ := json.Marshal(o.Choices)
				args = append(args, "choices="+string(cs))
			}
		}
		fmt.Fprintf(&b, "p.add_option(%s)\n", strings.Join(args, ", "))
	}
	b.WriteString("def parse(a):\n    o, rest = p.parse_args(a)\n    return {'values': {k: repr(v) for k, v in vars(o).items()}, 'args': rest}\n")
	return b.String()
}

func argparseSource(p *ArgumentParser) string {
	var b strings.Builder
	fmt.Fprintf(&b, "p = argparse.ArgumentParser(prog=%s, description=%s)\n", jsonStr(p.Prog),
		pyLit(map[bool]any{true: nil, false: p.Description}[p.Description == ""]))
	for _, a := range p.Arguments {
		var args []string
		if a.positional() {
			args = append(args, jsonStr(a.dest()))
		}
		for _, f := range a.Flags {
			args = append(args, jsonStr(f))
		}
		if a.Metavar != "" {
			args = append(args, "metavar="+jsonStr(a.Metavar))
		}
		if a.Help != "" {
			args = append(args, "help="+jsonStr(a.Help))
		}
		if a.Nargs != "" {
			args = append(args, "nargs="+jsonStr(a.Nargs))
		}
		if a.Action == StoreTrue {
			args = append(args, "action='store_true'")
		} else {
			args = append(args, "default="+pyLit(a.Default))
			switch a.Type {
			case Int:
				args = append(args, "type=int")
			case Float:
				args = append(args, "type=float")
			case Choice:
				cs, _ := json.Marshal(a.Choices)
				args = append(args, "choices="+string(cs))
			}
		}
		fmt.Fprintf(&b, "p.add_argument(%s)\n", strings.Join(args, ", "))
	}
	b.WriteString("def parse(a):\n    o = p.parse_args(a)\n    return {'values': {k: repr(v) for k, v in vars(o).items()}, 'args': []}\n")
	return b.String()
}

type pyResult struct {
	Code   int               `json:"code"`
	Stdout string            `json:"stdout"`
	Stderr string            `json:"stderr"`
	Values map[string]string `json:"values"`
	Args   []string          `json:"args"`
}

// runPython runs src (which defines parse(argv)) on every case and returns
// what Python printed and how it exited.
func runPython(t *testing.T, src string, columns int, cases [][]string) []pyResult {
	t.Helper()
	py := testutil.Python(t)
	cj, _ := json.Marshal(cases)
	prog := fmt.Sprintf(`
import io, json, sys, contextlib, os
os.environ['COLUMNS'] = %q
import optparse, argparse
%s
out = []
for a in json.loads(%s):
    so, se = io.StringIO(), io.StringIO()
    r = {'code': 0, 'values': {}, 'args': []}
    with contextlib.redirect_stdout(so), contextlib.redirect_stderr(se):
        try:
            r.update(parse(a))
        except SystemExit as e:
            r['code'] = e.code if isinstance(e.code, int) else 1
    r['stdout'], r['stderr'] = so.getvalue(), se.getvalue()
    out.append(r)
print(json.dumps(out))
`, fmt.Sprint(columns), src, jsonStr(string(cj)))
	cmd := exec.Command(py, "-c", prog)
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, prog)
	}
	var res []pyResult
	if err := json.Unmarshal(outb, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// goRepr renders a parsed value as Python's repr.
func goRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return Repr(x)
	case int64:
		return fmt.Sprint(x)
	case float64:
		return pyfmt.FloatRepr(x)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = Repr(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprintf("?%T", v)
}

func compare(t *testing.T, name string, want pyResult, vals *Values, args []string, ex *Exit) {
	t.Helper()
	got := pyResult{Values: map[string]string{}, Args: args}
	if ex != nil {
		got.Code, got.Stdout, got.Stderr = ex.Code, ex.Stdout, ex.Stderr
		got.Args = nil
	} else {
		for k, v := range vals.m {
			got.Values[k] = goRepr(v)
		}
	}
	if got.Args == nil {
		got.Args = []string{}
	}
	if want.Args == nil {
		want.Args = []string{}
	}
	if got.Code != want.Code || got.Stdout != want.Stdout || got.Stderr != want.Stderr {
		t.Errorf("%s: got exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d\nstdout:\n%s\nstderr:\n%s",
			name, got.Code, got.Stdout, got.Stderr, want.Code, want.Stdout, want.Stderr)
		return
	}
	if ex == nil {
		if fmt.Sprint(got.Values) != fmt.Sprint(want.Values) || fmt.Sprint(got.Args) != fmt.Sprint(want.Args) {
			t.Errorf("%s: got %v %q, want %v %q", name, got.Values, got.Args, want.Values, want.Args)
		}
	}
}
