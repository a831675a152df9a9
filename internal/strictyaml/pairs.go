package strictyaml

import (
	yaml "go.yaml.in/yaml/v3"
)

// pair is one key and value of a mapping; merged pairs come from a `<<:`
// merge key and count against the alias budget.
type pair struct {
	key    string
	k, v   *yaml.Node
	merged bool
}

// pairs lists a mapping's entries: its own keys first (a repeated key is a
// problem, found with one map lookup per key), then keys merged in with
// `<<: *anchor` that the mapping does not set itself.
func (w *walker) pairs(n *yaml.Node, path string) []pair {
	own := make(map[string]int, len(n.Content)/2)
	var out []pair
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, v)
			continue
		}
		key, ok := w.key(k, path)
		if !ok {
			continue
		}
		if first, dup := own[key]; dup {
			w.fail(k, path, "key %q is repeated (first at line %d): keep one", key, first)
			continue
		}
		own[key] = k.Line
		out = append(out, pair{key: key, k: k, v: v})
	}
	if len(merges) == 0 {
		return out
	}
	taken := make(map[string]bool, len(own))
	for key := range own {
		taken[key] = true
	}
	for _, m := range merges {
		out = w.merge(m, path, taken, out, 0)
	}
	return out
}

// merge adds the entries of a merged mapping (or list of mappings; earlier
// ones win) that are not taken yet.
func (w *walker) merge(m *yaml.Node, path string, taken map[string]bool, out []pair, depth int) []pair {
	if !w.spend(m, path) {
		return out
	}
	use := m
	if m.Kind == yaml.AliasNode {
		m = m.Alias
	}
	switch {
	case m.Kind == yaml.SequenceNode && depth == 0:
		for _, item := range m.Content {
			out = w.merge(item, path, taken, out, 1)
		}
		return out
	case m.Kind != yaml.MappingNode:
		w.fail(m, path, "a merge key (<<) needs a mapping or a list of mappings, got %s", describe(m))
		return out
	}
	w.enterAlias(use, path)
	defer func() { w.inAlias-- }()
	for _, p := range w.pairs(m, path) {
		if !w.spend(p.k, path) {
			return out
		}
		if taken[p.key] {
			continue
		}
		taken[p.key] = true
		p.merged = true
		out = append(out, p)
	}
	return out
}

// key returns the text of a mapping key, which must be a plain value.
func (w *walker) key(k *yaml.Node, path string) (string, bool) {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		w.fail(k, path, "a key must be a plain word or number, got %s", describe(k))
		return "", false
	}
	return k.Value, true
}
