package verify

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
)

// partialMatch compares an expected object fragment with an actual object
// the way kuttl asserts do: maps match when every expected key matches
// (extra actual keys are fine), lists match element by element in order and
// must have the same length, scalars must be equal (numbers by value, so 80
// equals 80.0). It returns one line per mismatch, with the field path.
func partialMatch(path string, expected, actual any) []string {
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: expected an object, got %s", orRoot(path), describe(actual))}
		}
		keys := make([]string, 0, len(e))
		for k := range e {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			av, present := a[k]
			p := joinPath(path, k)
			if !present {
				out = append(out, fmt.Sprintf("%s: missing (expected %s)", p, describe(e[k])))
				continue
			}
			out = append(out, partialMatch(p, e[k], av)...)
		}
		return out
	case []any:
		a, ok := actual.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: expected a list, got %s", orRoot(path), describe(actual))}
		}
		if len(a) != len(e) {
			return []string{fmt.Sprintf("%s: expected %d item(s), got %d", orRoot(path), len(e), len(a))}
		}
		var out []string
		for i := range e {
			out = append(out, partialMatch(fmt.Sprintf("%s[%d]", path, i), e[i], a[i])...)
		}
		return out
	default:
		if scalarEqual(expected, actual) {
			return nil
		}
		return []string{fmt.Sprintf("%s: expected %s, got %s", orRoot(path), describe(expected), describe(actual))}
	}
}

func scalarEqual(e, a any) bool {
	if ef, ok := number(e); ok {
		af, ok := number(a)
		return ok && ef == af
	}
	return reflect.DeepEqual(e, a)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "(object)"
	}
	return path
}
