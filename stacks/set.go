package stacks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/labctl/labctl/internal/strictyaml"
)

// applySet applies one --set path=value override. Paths are relative to
// spec (a leading "spec." is allowed) and use the file's field names; list
// items are chosen by index or by name: apps[bookinfo].values.replicas=2,
// addons[0].version=2.24.0. The value is read as the field's type; inside
// free-form Helm values it is read as YAML (numbers, booleans, strings).
func (s *Stack) applySet(set string) error {
	path, raw, ok := strings.Cut(set, "=")
	if !ok || strings.TrimSpace(path) == "" {
		return fmt.Errorf("--set %q: expected path=value, e.g. --set cluster.workers=2", set)
	}
	path = strings.TrimSpace(path)
	segs, err := splitPath(strings.TrimPrefix(path, "spec."))
	if err != nil {
		return fmt.Errorf("--set %s: %w", path, err)
	}
	doc, err := toGeneric(s.Spec)
	if err != nil {
		return err
	}
	root, err := setPath(doc, reflect.TypeOf(Spec{}), segs, raw, "spec")
	if err != nil {
		return fmt.Errorf("--set %s: %w", path, err)
	}
	b, err := json.Marshal(root)
	if err != nil {
		return err
	}
	var spec Spec
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return fmt.Errorf("--set %s: %w", path, err)
	}
	s.Spec = spec
	return nil
}

type segment struct {
	field string
	sel   string // list selector: index or name
	isSel bool
}

func splitPath(p string) ([]segment, error) {
	var out []segment
	for _, part := range strings.Split(p, ".") {
		if part == "" {
			return nil, fmt.Errorf("empty path element")
		}
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			out = append(out, segment{field: name})
		}
		for rest != "" {
			sel, after, ok := strings.Cut(rest, "]")
			if !ok || sel == "" {
				return nil, fmt.Errorf("malformed list selector in %q: use name[0] or name[item-name]", part)
			}
			out = append(out, segment{sel: sel, isSel: true})
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return out, nil
}

func toGeneric(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(b, &out)
}

// setPath sets segs under node (a generic JSON value) whose Go type is t,
// returning the updated node.
func setPath(node any, t reflect.Type, segs []segment, raw, at string) (any, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if len(segs) == 0 {
		return convert(raw, t, at)
	}
	seg := segs[0]
	switch t.Kind() {
	case reflect.Struct:
		if seg.isSel {
			return nil, fmt.Errorf("%s is not a list", at)
		}
		fields := strictyaml.Fields(t)
		ft, ok := fields[seg.field]
		if !ok {
			return nil, fmt.Errorf("%s has no field %q%s", at, seg.field, strictyaml.Suggest(seg.field, slices.Collect(maps.Keys(fields))))
		}
		m, _ := node.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		child, err := setPath(m[seg.field], ft, segs[1:], raw, at+"."+seg.field)
		if err != nil {
			return nil, err
		}
		m[seg.field] = child
		return m, nil
	case reflect.Map, reflect.Interface:
		if seg.isSel {
			return nil, fmt.Errorf("%s is not a list", at)
		}
		m, _ := node.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		elem := t
		if t.Kind() == reflect.Map {
			elem = t.Elem()
		}
		child, err := setPath(m[seg.field], elem, segs[1:], raw, at+"."+seg.field)
		if err != nil {
			return nil, err
		}
		m[seg.field] = child
		return m, nil
	case reflect.Slice:
		if !seg.isSel {
			return nil, fmt.Errorf("%s is a list: select an item with [index] or [name]", at)
		}
		list, _ := node.([]any)
		i, err := findItem(list, seg.sel, at)
		if err != nil {
			return nil, err
		}
		child, err := setPath(list[i], t.Elem(), segs[1:], raw, fmt.Sprintf("%s[%s]", at, seg.sel))
		if err != nil {
			return nil, err
		}
		list[i] = child
		return list, nil
	}
	return nil, fmt.Errorf("%s is a %s and has no field %q", at, t.Kind(), seg.field)
}

func findItem(list []any, sel, at string) (int, error) {
	if i, err := strconv.Atoi(sel); err == nil {
		if i < 0 || i >= len(list) {
			return 0, fmt.Errorf("%s has %d items; index %d is out of range", at, len(list), i)
		}
		return i, nil
	}
	var names []string
	for i, item := range list {
		if m, ok := item.(map[string]any); ok {
			if n, _ := m["name"].(string); n == sel {
				return i, nil
			} else if n != "" {
				names = append(names, n)
			}
		}
	}
	return 0, fmt.Errorf("%s has no item named %q (items: %s)", at, sel, strings.Join(names, ", "))
}

func convert(raw string, t reflect.Type, at string) (any, error) {
	switch t.Kind() {
	case reflect.String:
		return raw, nil
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("%s expects true or false, got %q", at, raw)
		}
		return b, nil
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return nil, fmt.Errorf("%s expects a whole number, got %q", at, raw)
		}
		return n, nil
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("%s expects a number, got %q", at, raw)
		}
		return f, nil
	case reflect.Interface:
		// Read as YAML by the strict decoder, so a value is bounded like a
		// file (size, aliases); what is not YAML stays a string.
		var v any
		if _, err := strictyaml.Decode("--set "+at, []byte(raw), &v, strictyaml.Options{}); err != nil {
			if strictyaml.IsLimit(err) {
				return nil, err
			}
			return raw, nil
		}
		return v, nil
	case reflect.Slice:
		var v []any
		if _, err := strictyaml.Decode("--set "+at, []byte(raw), &v, strictyaml.Options{}); err != nil {
			if strictyaml.IsLimit(err) {
				return nil, err
			}
			return nil, fmt.Errorf("%s expects a list such as [a, b], got %q", at, raw)
		}
		return v, nil
	}
	return nil, fmt.Errorf("%s cannot be set as a whole: set one of its fields", at)
}
