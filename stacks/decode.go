package stacks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// FieldError is a problem with one field of a stack file.
type FieldError struct {
	File string
	Line int
	// Path is the dotted field path, e.g. spec.mesh.mode.
	Path string
	Msg  string
}

func (e *FieldError) Error() string {
	loc := e.File
	if loc == "" {
		loc = "stack"
	}
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, e.Line)
	}
	if e.Path == "" {
		return fmt.Sprintf("%s: %s", loc, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Path, e.Msg)
}

// ValidationError collects every field error of one file.
type ValidationError struct {
	Errs []*FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Errs))
	for i, fe := range e.Errs {
		msgs[i] = fe.Error()
	}
	return strings.Join(msgs, "\n")
}

// decodeStrict decodes YAML into out (a pointer to a struct with json tags).
// Unknown fields and wrong scalar types are errors naming the file, line and
// field path. It returns the line of every field path it saw, for later
// semantic errors.
func decodeStrict(file string, data []byte, out any) (map[string]int, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FieldError{File: file, Msg: "the file is empty: expected a Stack document"}
		}
		return nil, &FieldError{File: file, Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	lines := map[string]int{}
	w := &walker{file: file, lines: lines}
	w.walk(root, reflect.TypeOf(out).Elem(), "")
	if len(w.errs) > 0 {
		return lines, &ValidationError{Errs: w.errs}
	}
	var generic any
	if err := root.Decode(&generic); err != nil {
		return lines, &FieldError{File: file, Msg: err.Error()}
	}
	js, err := json.Marshal(generic)
	if err != nil {
		return lines, &FieldError{File: file, Msg: err.Error()}
	}
	jd := json.NewDecoder(bytes.NewReader(js))
	jd.DisallowUnknownFields()
	if err := jd.Decode(out); err != nil {
		return lines, &FieldError{File: file, Msg: err.Error()}
	}
	return lines, nil
}

type walker struct {
	file  string
	lines map[string]int
	errs  []*FieldError
}

func (w *walker) fail(n *yaml.Node, path, format string, args ...any) {
	w.errs = append(w.errs, &FieldError{File: w.file, Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// walk checks node against Go type t.
func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if path != "" {
		if _, seen := w.lines[path]; !seen {
			w.lines[path] = n.Line
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			w.fail(n, path, "expected a mapping, got %s", describe(n))
			return
		}
		fields := jsonFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				w.fail(k, join(path, k.Value), "unknown field%s", suggest(k.Value, fields))
				continue
			}
			w.walk(v, ft, join(path, k.Value))
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.fail(n, path, "expected a list, got %s", describe(n))
			return
		}
		for i, item := range n.Content {
			w.walk(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.fail(n, path, "expected a mapping, got %s", describe(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			w.walk(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value))
		}
	case reflect.Interface:
		// free-form values (Helm values): anything goes.
	case reflect.String:
		w.scalar(n, path, "a string", "!!str", "!!int", "!!float", "!!bool")
	case reflect.Bool:
		w.scalar(n, path, "true or false", "!!bool")
	case reflect.Int, reflect.Int32, reflect.Int64:
		w.scalar(n, path, "a whole number", "!!int")
	case reflect.Float32, reflect.Float64:
		w.scalar(n, path, "a number", "!!int", "!!float")
	}
}

func (w *walker) scalar(n *yaml.Node, path, want string, tags ...string) {
	if n.Kind != yaml.ScalarNode {
		w.fail(n, path, "expected %s, got %s", want, describe(n))
		return
	}
	for _, t := range tags {
		if n.Tag == t {
			return
		}
	}
	w.fail(n, path, "expected %s, got %q", want, n.Value)
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		out[name] = f.Type
	}
	return out
}

// suggest proposes the closest known field name for a typo.
func suggest(got string, fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bestD := "", 3
	for _, n := range names {
		if d := distance(strings.ToLower(got), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return fmt.Sprintf(" (known fields: %s)", strings.Join(names, ", "))
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
