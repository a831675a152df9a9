package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
)

// DecodeStrictYAML decodes YAML into v (a pointer to a struct with json
// tags, such as CheckSet or a lab step holding []Spec). Unknown fields and
// values of the wrong type are errors naming file, line and field path, so
// a typo like `timout:` never silently drops a setting.
func DecodeStrictYAML(file string, data []byte, v any) error {
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Content) == 0 {
		return fmt.Errorf("%s: the file is empty", file)
	}
	if err := checkNode(file, doc.Content[0], reflect.TypeOf(v), ""); err != nil {
		return err
	}
	// Convert through yaml.v3 too, so the walk above and the decode agree on
	// YAML 1.2 scalars ("y" and "no" stay strings).
	var raw any
	if err := doc.Content[0].Decode(&raw); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	j, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("%s: converting to JSON: %w", file, err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// checkNode walks a YAML node alongside the Go type it decodes into.
func checkNode(file string, n *yamlv3.Node, t reflect.Type, path string) error {
	if n.Kind == yamlv3.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yamlv3.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) || t.Implements(jsonUnmarshaler) {
		return nil // the type parses itself and reports its own errors
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s: %s", file, n.Line, orRoot(path), fmt.Sprintf(format, args...))
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yamlv3.MappingNode {
			return fail("expected a mapping of fields")
		}
		fields := jsonFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			ft, ok := fields[key.Value]
			if !ok {
				return fmt.Errorf("%s:%d: %s: unknown field %q (known fields: %s)",
					file, key.Line, orRoot(path), key.Value, strings.Join(sortedKeys(fields), ", "))
			}
			if err := checkNode(file, val, ft, joinPath(path, key.Value)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yamlv3.MappingNode {
			return fail("expected a mapping")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkNode(file, n.Content[i+1], t.Elem(), joinPath(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if n.Kind != yamlv3.SequenceNode {
			return fail("expected a list")
		}
		for i, item := range n.Content {
			if err := checkNode(file, item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.String:
		if n.Kind != yamlv3.ScalarNode || n.Tag != "!!str" {
			return fail("expected a string, got %s (quote it)", nodeKind(n))
		}
	case reflect.Bool:
		if n.Kind != yamlv3.ScalarNode || n.Tag != "!!bool" {
			return fail("expected true or false, got %s", nodeKind(n))
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		if n.Kind != yamlv3.ScalarNode || n.Tag != "!!int" {
			return fail("expected a whole number, got %s", nodeKind(n))
		}
	case reflect.Float32, reflect.Float64:
		if n.Kind != yamlv3.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			return fail("expected a number, got %s", nodeKind(n))
		}
	}
	return nil
}

func nodeKind(n *yamlv3.Node) string {
	switch n.Kind {
	case yamlv3.MappingNode:
		return "a mapping"
	case yamlv3.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// jsonFields maps the JSON names of a struct's fields (embedded structs
// flattened) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// CheckSetKind and CheckSetAPIVersion identify check-set files.
const (
	CheckSetKind       = "CheckSet"
	CheckSetAPIVersion = "labctl.dev/v1alpha1"
)

// CheckSet is a file of checks run by `labctl check -f`.
type CheckSet struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	Checks     []Spec   `json:"checks"`
}

// Metadata names a check set.
type Metadata struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// ParseCheckSet decodes and validates a check-set file's content; file names
// the source in errors.
func ParseCheckSet(file string, data []byte) (*CheckSet, error) {
	var cs CheckSet
	if err := DecodeStrictYAML(file, data, &cs); err != nil {
		return nil, err
	}
	if cs.APIVersion != CheckSetAPIVersion || cs.Kind != CheckSetKind {
		return nil, fmt.Errorf("%s: apiVersion/kind are %q/%q, want %s/%s", file, cs.APIVersion, cs.Kind, CheckSetAPIVersion, CheckSetKind)
	}
	if cs.Metadata.Name == "" {
		return nil, fmt.Errorf("%s: metadata.name is required", file)
	}
	if err := ValidateSpecs(cs.Checks); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &cs, nil
}

// LoadCheckSet reads and validates a check-set file.
func LoadCheckSet(path string) (*CheckSet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading check set: %w", err)
	}
	return ParseCheckSet(path, data)
}

// ValidateSpecs validates every spec and that names are unique.
func ValidateSpecs(specs []Spec) error {
	if len(specs) == 0 {
		return errors.New("no checks: add at least one entry under checks")
	}
	seen := map[string]int{}
	var errs []error
	for i := range specs {
		if err := specs[i].Validate(); err != nil {
			errs = append(errs, fmt.Errorf("checks[%d]: %w", i, err))
			continue
		}
		if j, dup := seen[specs[i].Name]; dup {
			errs = append(errs, fmt.Errorf("checks[%d]: name %q is already used by checks[%d]", i, specs[i].Name, j))
		}
		seen[specs[i].Name] = i
	}
	return errors.Join(errs...)
}
