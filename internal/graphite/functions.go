package graphite

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// functionInfo is one entry of /functions, in graphite-web's shape.
type functionInfo struct {
	Name        string      `json:"name"`
	Function    string      `json:"function"`
	Description string      `json:"description"`
	Module      string      `json:"module"`
	Group       string      `json:"group"`
	Params      []paramMeta `json:"params"`
}

func infoOf(name string) (functionInfo, bool) {
	f, ok := lookup(name)
	if !ok {
		return functionInfo{}, false
	}
	return functionInfo{
		Name: name, Function: f.meta.Function, Description: f.desc,
		Module: f.meta.Module, Group: f.meta.Group, Params: f.meta.Params,
	}, true
}

// FunctionNames lists the render functions ringvault implements, sorted.
func FunctionNames() []string {
	lookup("")
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// marshalInfinity encodes v as JSON with graphite-web's "Infinity"
// defaults written as 1e9999 (valid JSON that parses to +Inf).
func marshalInfinity(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.ReplaceAll(bytes.TrimSpace(buf.Bytes()), []byte(`"default":"Infinity"`), []byte(`"default":1e9999`))
}

// functions is /functions (graphite-web functions/views.py): every
// function's info keyed by name, or grouped=1 keyed by group then name,
// group=X only that group; /functions/<name> one function.
func (h *handler) functions(w http.ResponseWriter, r *http.Request) {
	q, err := params(r)
	if err != nil {
		h.fail(w, r, badRequest("%v", err))
		return
	}
	if name := r.PathValue("name"); name != "" {
		info, ok := infoOf(strings.TrimSuffix(name, "/"))
		if !ok {
			h.fail(w, r, &httpError{http.StatusNotFound, errorString("Function not found: " + name)})
			return
		}
		writeJSONBytes(w, q, marshalInfinity(info))
		return
	}
	group := q.Get("group")
	grouped := q.Get("grouped") == "1" || strings.EqualFold(q.Get("grouped"), "true")
	flat := map[string]functionInfo{}
	byGroup := map[string]map[string]functionInfo{}
	for _, n := range FunctionNames() {
		info, _ := infoOf(n)
		if group != "" && info.Group != group {
			continue
		}
		flat[n] = info
		if byGroup[info.Group] == nil {
			byGroup[info.Group] = map[string]functionInfo{}
		}
		byGroup[info.Group][n] = info
	}
	if grouped {
		writeJSONBytes(w, q, marshalInfinity(byGroup))
		return
	}
	writeJSONBytes(w, q, marshalInfinity(flat))
}

type errorString string

func (e errorString) Error() string { return string(e) }
