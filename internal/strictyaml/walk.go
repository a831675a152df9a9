package strictyaml

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// walker checks a YAML node tree against a Go type and builds the generic
// value (maps, lists, scalars) that is then decoded as JSON. One pass, linear
// in the nodes visited; aliases are expanded against a budget.
type walker struct {
	file     string
	pos      Positions
	problems []Problem
	budget   int    // nodes that alias expansion may still add
	inAlias  int    // >0 while walking below an alias or a merge
	overrun  bool   // the alias budget ran out: stop walking
	dropped  int    // problems past maxProblems
	item     string // `name:` of the list item being walked, named in problems
	aliasAt  struct {
		line int
		path string
	} // where the outermost alias being expanded is used
}

// enterAlias marks the walk as below an alias (or merge) used at n.
func (w *walker) enterAlias(n *yaml.Node, path string) {
	if w.inAlias == 0 {
		w.aliasAt.line, w.aliasAt.path = n.Line, path
	}
	w.inAlias++
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// maxProblems caps the list: past it, one last problem says how many more
// there were, so a file of 60,000 typos costs no more than a few.
const maxProblems = 100

func (w *walker) fail(n *yaml.Node, path, format string, args ...any) {
	w.dropped++
	if len(w.problems) < maxProblems {
		w.dropped--
		msg := fmt.Sprintf(format, args...)
		if w.item != "" {
			msg += fmt.Sprintf(" (in %q)", w.item)
		}
		w.problems = append(w.problems, Problem{File: w.file, Line: n.Line, Field: path, Message: msg})
	}
}

// result returns the problems, with a last line for those not listed.
func (w *walker) result() []Problem {
	if w.dropped == 0 {
		return w.problems
	}
	return append(w.problems, Problem{File: w.file, Message: fmt.Sprintf("%d more problems not listed: fix the ones above first", w.dropped)})
}

func (w *walker) see(path string, line int) {
	if _, ok := w.pos[path]; !ok {
		w.pos[path] = line
	}
}

// spend charges one node to the alias budget when below an alias.
func (w *walker) spend(n *yaml.Node, path string) bool {
	if w.overrun {
		return false
	}
	if w.inAlias == 0 {
		return true
	}
	w.budget--
	if w.budget < 0 {
		w.overrun = true
		w.problems = append(w.problems, Problem{File: w.file, Line: w.aliasAt.line, Field: w.aliasAt.path,
			Message: msgAliases})
		return false
	}
	return true
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// walk checks n against t and returns its generic value.
func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) any {
	if !w.spend(n, path) {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		w.see(path, n.Line)
		w.enterAlias(n, path)
		defer func() { w.inAlias-- }()
		return w.walk(n.Alias, t, path)
	}
	w.see(path, n.Line)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if t.Kind() != reflect.Interface && (t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler)) {
		return w.custom(n, t, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		return w.object(n, t, path)
	case reflect.Map:
		return w.mapping(n, t.Elem(), path)
	case reflect.Slice, reflect.Array:
		return w.list(n, t.Elem(), path)
	case reflect.Interface:
		switch n.Kind {
		case yaml.MappingNode:
			return w.mapping(n, t, path)
		case yaml.SequenceNode:
			return w.list(n, t, path)
		}
		return w.scalar(n, path)
	case reflect.String:
		return w.typed(n, path, "a string", "!!str")
	case reflect.Bool:
		return w.typed(n, path, "true or false", "!!bool")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return w.typed(n, path, "a whole number", "!!int")
	case reflect.Float32, reflect.Float64:
		return w.typed(n, path, "a number", "!!int", "!!float")
	}
	return w.scalar(n, path)
}

// custom lets a type that parses itself (a duration) check its value now, so
// its error carries the line and field.
func (w *walker) custom(n *yaml.Node, t reflect.Type, path string) any {
	g := w.walk(n, reflect.TypeFor[any](), path)
	if w.overrun {
		return nil
	}
	js, err := json.Marshal(g)
	if err == nil {
		err = reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(js)
	}
	if err != nil {
		w.fail(n, path, "%s", err.Error())
	}
	return g
}

func (w *walker) object(n *yaml.Node, t reflect.Type, path string) any {
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "expected a mapping of fields, got %s", describe(n))
		return nil
	}
	fields := jsonFields(t)
	out := map[string]any{}
	for _, p := range w.pairs(n, path) {
		ft, ok := fields[p.key]
		if !ok {
			w.fail(p.k, path, "unknown field %q%s", p.key, suggest(p.key, fields))
			continue
		}
		out[p.key] = w.value(p, ft, join(path, p.key))
	}
	return out
}

func (w *walker) mapping(n *yaml.Node, elem reflect.Type, path string) any {
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "expected a mapping, got %s", describe(n))
		return nil
	}
	out := map[string]any{}
	for _, p := range w.pairs(n, path) {
		out[p.key] = w.value(p, elem, join(path, p.key))
	}
	return out
}

func (w *walker) value(p pair, t reflect.Type, path string) any {
	w.see(path, p.k.Line)
	if p.merged {
		w.enterAlias(p.k, path)
		defer func() { w.inAlias-- }()
	}
	return w.walk(p.v, t, path)
}

func (w *walker) list(n *yaml.Node, elem reflect.Type, path string) any {
	if n.Kind != yaml.SequenceNode {
		w.fail(n, path, "expected a list, got %s", describe(n))
		return nil
	}
	out := make([]any, 0, len(n.Content))
	outer := w.item
	defer func() { w.item = outer }()
	for i, item := range n.Content {
		w.item = itemName(item, outer)
		out = append(out, w.walk(item, elem, fmt.Sprintf("%s[%d]", path, i)))
	}
	return out
}

func (w *walker) typed(n *yaml.Node, path, want string, tags ...string) any {
	if n.Kind != yaml.ScalarNode {
		w.fail(n, path, "expected %s, got %s", want, describe(n))
		return nil
	}
	for _, tag := range tags {
		if n.Tag == tag {
			return w.scalar(n, path)
		}
	}
	if want == "a string" {
		w.fail(n, path, "expected a string, got %s (put it in quotes)", describe(n))
	} else {
		w.fail(n, path, "expected %s, got %s", want, describe(n))
	}
	return nil
}

// scalar resolves one scalar as YAML 1.2 does ("no" stays a string).
func (w *walker) scalar(n *yaml.Node, path string) any {
	var v any
	if err := n.Decode(&v); err != nil {
		w.fail(n, path, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil
	}
	if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
		w.fail(n, path, "%s is not a finite number", n.Value)
		return nil
	}
	return v
}

// itemName is the scalar `name:` of a list item that is a mapping, else
// the enclosing item's name.
func itemName(n *yaml.Node, outer string) string {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return outer
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == "name" && v.Kind == yaml.ScalarNode && v.Value != "" {
			return v.Value
		}
	}
	return outer
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}
