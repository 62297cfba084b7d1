package store

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Matcher is a compiled dotted-path pattern, matched node by node
// (graphite.Glob satisfies it): Len nodes, Literal(i) for a node without
// wildcards, MatchNode(i, s) for one name node.
type Matcher interface {
	Len() int
	Literal(i int) (string, bool)
	MatchNode(i int, s string) bool
}

// Node is a Find result: a metric (Leaf) or a branch with metrics below.
type Node struct {
	Path string
	Leaf bool
}

// Find returns the metrics and branches matching m, as graphite-web's
// standard finder walks the whisper tree (a directory is a branch, a
// ".wsp" file a leaf), plus the metrics still only in the cache. A path
// may appear twice, once as a branch and once as a leaf. Results are
// sorted by path, branches first.
func (s *Store) Find(ctx context.Context, m Matcher) ([]Node, error) {
	if m.Len() == 0 {
		return nil, nil
	}
	seen := map[Node]bool{}
	var out []Node
	add := func(n Node) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if err := s.walk(ctx, m, 0, s.opts.Dir, nil, add); err != nil {
		return nil, err
	}
	s.cache.names(func(name string) {
		nodes := strings.Split(name, ".")
		if len(nodes) < m.Len() {
			return
		}
		for i := range m.Len() {
			if !m.MatchNode(i, nodes[i]) {
				return
			}
		}
		add(Node{Path: strings.Join(nodes[:m.Len()], "."), Leaf: len(nodes) == m.Len()})
	})
	slices.SortFunc(out, func(a, b Node) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if a.Leaf == b.Leaf {
			return 0
		}
		if a.Leaf {
			return 1
		}
		return -1
	})
	return out, nil
}

// walk matches node i of m in directory dir (whose path nodes are
// prefix), listing the directory only when the node has wildcards.
func (s *Store) walk(ctx context.Context, m Matcher, i int, dir string, prefix []string, add func(Node)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	last := i == m.Len()-1
	visit := func(name string, isDir bool) error {
		path := append(prefix[:len(prefix):len(prefix)], name)
		if last {
			add(Node{Path: strings.Join(path, "."), Leaf: !isDir})
			return nil
		}
		if isDir {
			return s.walk(ctx, m, i+1, filepath.Join(dir, name), path, add)
		}
		return nil
	}
	if lit, ok := m.Literal(i); ok {
		if lit == "" || strings.ContainsAny(lit, "/\x00") || lit == "." || lit == ".." {
			return nil
		}
		if fi, err := os.Stat(filepath.Join(dir, lit)); err == nil && fi.IsDir() {
			if err := visit(lit, true); err != nil {
				return err
			}
		}
		if last {
			if fi, err := os.Stat(filepath.Join(dir, lit+".wsp")); err == nil && fi.Mode().IsRegular() {
				return visit(lit, false)
			}
		}
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil // a missing or unreadable directory matches nothing
	}
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue // hidden, and whisper's temporary files
		}
		isDir := e.IsDir()
		if !isDir {
			if !e.Type().IsRegular() || !strings.HasSuffix(name, ".wsp") || !last {
				continue
			}
			name = strings.TrimSuffix(name, ".wsp")
		}
		if m.MatchNode(i, name) {
			if err := visit(name, isDir); err != nil {
				return err
			}
		}
	}
	return nil
}
