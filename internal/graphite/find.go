package graphite

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// findNodes runs Backend.Find for a pattern and returns the nodes sorted
// by path (branches before leaves of the same path), de-duplicated.
func (h *handler) findNodes(ctx context.Context, pattern string, leavesOnly bool) ([]Node, error) {
	if _, err := CompileGlob(pattern); err != nil {
		return nil, err
	}
	nodes, err := h.b.Find(ctx, pattern)
	if err != nil {
		return nil, err
	}
	seen := map[Node]bool{}
	out := nodes[:0:0]
	for _, n := range nodes {
		if seen[n] || leavesOnly && !n.Leaf {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return !out[i].Leaf && out[j].Leaf
	})
	return out, nil
}

func lastNode(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// find is graphite-web's /metrics/find (metrics/views.py find_view).
func (h *handler) find(w http.ResponseWriter, r *http.Request) {
	q, err := params(r)
	if err != nil {
		h.fail(w, r, badRequest("%v", err))
		return
	}
	query := q.Get("query")
	if query == "" {
		h.fail(w, r, badRequest("Missing required parameter 'query'"))
		return
	}
	format := q.Get("format")
	if format == "" {
		format = "treejson"
	}
	wildcards := q.Get("wildcards") == "1"
	basePath := ""
	if i := strings.LastIndexByte(query, '.'); i >= 0 {
		basePath = query[:i+1]
	}
	if format == "completer" {
		query = strings.ReplaceAll(query, "..", "*.")
		if !strings.HasSuffix(query, "*") {
			query += "*"
		}
	}
	switch format {
	case "treejson", "completer", "json", "pickle", "nodelist":
	default:
		h.fail(w, r, badRequest("Invalid value for 'format' parameter"))
		return
	}
	nodes, err := h.findNodes(r.Context(), query, q.Get("leavesOnly") == "1")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	switch format {
	case "treejson":
		writeJSON(w, q, treeJSON(nodes, basePath, wildcards))
	case "completer":
		type entry struct {
			Path   string `json:"path"`
			Name   string `json:"name"`
			IsLeaf string `json:"is_leaf"`
		}
		res := []any{}
		for _, n := range nodes {
			e := entry{Path: n.Path, Name: lastNode(n.Path), IsLeaf: "0"}
			if n.Leaf {
				e.IsLeaf = "1"
			} else {
				e.Path += "."
			}
			res = append(res, e)
		}
		if len(res) > 1 && wildcards {
			res = append(res, map[string]string{"name": "*"})
		}
		writeJSON(w, q, map[string]any{"metrics": res})
	case "nodelist":
		writeJSON(w, q, map[string]any{"nodes": nodesByPosition(nodes, q.Get("position"))})
	case "json":
		type entry struct {
			Path      string           `json:"path"`
			IsLeaf    bool             `json:"is_leaf"`
			Intervals []map[string]int `json:"intervals,omitempty"`
		}
		res := make([]entry, 0, len(nodes))
		for _, n := range nodes {
			e := entry{Path: n.Path, IsLeaf: n.Leaf}
			res = append(res, e)
		}
		writeJSON(w, q, res)
	case "pickle":
		w.Header().Set("Content-Type", "application/pickle")
		w.Write(findPickle(nodes))
	}
}

// findPickle is graphite-web's pickle_nodes: [{'path', 'is_leaf'}]. The
// intervals key is left out; graphite-web's RemoteFinder treats a missing
// one as "all time".
func findPickle(nodes []Node) []byte {
	p := &pickler{}
	p.begin()
	p.list(len(nodes), func(i int) {
		p.dict(func() {
			p.str("path")
			p.str(nodes[i].Path)
			p.str("is_leaf")
			p.bool(nodes[i].Leaf)
		})
	})
	p.end()
	return p.buf
}

type treeNode struct {
	Text          string `json:"text"`
	ID            string `json:"id"`
	AllowChildren int    `json:"allowChildren"`
	Expandable    int    `json:"expandable"`
	Leaf          int    `json:"leaf"`
}

// treeJSON is graphite-web's tree_json: an optional wildcard node, then
// branches, then leaves, one entry per name.
func treeJSON(nodes []Node, basePath string, wildcards bool) []treeNode {
	out := []treeNode{}
	branch := func(t treeNode) treeNode { t.AllowChildren, t.Expandable = 1, 1; return t }
	leaf := func(t treeNode) treeNode { t.Leaf = 1; return t }
	if len(nodes) > 1 && wildcards {
		w := treeNode{Text: "*", ID: basePath + "*"}
		anyBranch := false
		for _, n := range nodes {
			anyBranch = anyBranch || !n.Leaf
		}
		if anyBranch {
			out = append(out, branch(w))
		} else {
			out = append(out, leaf(w))
		}
	}
	seen := map[string]bool{}
	var branches, leaves []treeNode
	for _, n := range nodes {
		name := lastNode(n.Path)
		if seen[name] {
			continue
		}
		seen[name] = true
		text, err := url.QueryUnescape(name)
		if err != nil {
			text = name
		}
		t := treeNode{Text: text, ID: basePath + name}
		if n.Leaf {
			leaves = append(leaves, leaf(t))
		} else {
			branches = append(branches, branch(t))
		}
	}
	out = append(out, branches...)
	return append(out, leaves...)
}

// nodesByPosition is graphite-web's nodes_by_position: the distinct
// values of one node of the matching paths (the last by default).
func nodesByPosition(nodes []Node, position string) []string {
	pos := -1
	if position != "" {
		n, err := parseIntStrict(position)
		if err == nil {
			pos = n
		}
	}
	seen := map[string]bool{}
	out := []string{}
	for _, n := range nodes {
		parts := strings.Split(n.Path, ".")
		i := pos
		if i < 0 {
			i += len(parts)
		}
		if i < 0 || i >= len(parts) || seen[parts[i]] {
			continue
		}
		seen[parts[i]] = true
		out = append(out, parts[i])
	}
	sort.Strings(out)
	return out
}

// expand is /metrics/expand: {"results": [matching paths]}, sorted; with
// groupByExpr=1 a map from each query to its matches.
func (h *handler) expand(w http.ResponseWriter, r *http.Request) {
	q, err := params(r)
	if err != nil {
		h.fail(w, r, badRequest("%v", err))
		return
	}
	queries := q["query"]
	if len(queries) == 0 {
		h.fail(w, r, badRequest("Missing required parameter 'query'"))
		return
	}
	leavesOnly := q.Get("leavesOnly") == "1"
	byExpr := map[string][]string{}
	all := map[string]bool{}
	for _, query := range queries {
		nodes, err := h.findNodes(r.Context(), query, leavesOnly)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		list := []string{}
		seen := map[string]bool{}
		for _, n := range nodes {
			if !seen[n.Path] {
				seen[n.Path] = true
				list = append(list, n.Path)
				all[n.Path] = true
			}
		}
		byExpr[query] = list
	}
	if q.Get("groupByExpr") == "1" {
		writeJSON(w, q, map[string]any{"results": byExpr})
		return
	}
	res := make([]string, 0, len(all))
	for p := range all {
		res = append(res, p)
	}
	sort.Strings(res)
	writeJSON(w, q, map[string]any{"results": res})
}

// maxIndexDepth bounds the tree walk /metrics/index.json does.
const maxIndexDepth = 64

// index is /metrics/index.json: every metric name, sorted; found by
// walking the tree one level at a time with Find.
func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	q, err := params(r)
	if err != nil {
		h.fail(w, r, badRequest("%v", err))
		return
	}
	var leaves []string
	pattern := "*"
	frontier := []string{""}
	for depth := 0; len(frontier) > 0 && depth < maxIndexDepth; depth++ {
		var next []string
		for _, base := range frontier {
			nodes, err := h.findNodes(r.Context(), base+pattern, false)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			for _, n := range nodes {
				if n.Leaf {
					leaves = append(leaves, n.Path)
				} else {
					next = append(next, n.Path+".")
				}
			}
		}
		frontier = next
	}
	sort.Strings(leaves)
	if leaves == nil {
		leaves = []string{}
	}
	writeJSON(w, q, leaves)
}

func parseIntStrict(s string) (int, error) {
	neg := strings.HasPrefix(s, "-")
	d := strings.TrimPrefix(s, "-")
	if d == "" || !isDigits(d) || len(d) > 9 {
		return 0, badRequest("not an integer: %q", s)
	}
	n := atoi(d)
	if neg {
		n = -n
	}
	return n, nil
}
