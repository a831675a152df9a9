package verify

import (
	"encoding/json"
	"reflect"
)

// checkTypes are the Spec fields of which exactly one must be set.
var checkTypes = []string{TypePods, TypeResource, TypeHTTP, TypeSplit, TypePromQL, TypeKiali, TypeTrace, TypeExec}

// CheckSetSchema returns a JSON Schema (draft 2020-12) of check-set files,
// derived from the Go types so it cannot drift from the strict decoder:
// editors (yaml-language-server) use it to complete fields and flag typos.
func CheckSetSchema() ([]byte, error) {
	s := schemaFor(reflect.TypeFor[CheckSet]())
	props := s["properties"].(map[string]any)
	props["apiVersion"] = map[string]any{"const": CheckSetAPIVersion}
	props["kind"] = map[string]any{"const": CheckSetKind}
	s["required"] = []string{"apiVersion", "kind", "metadata", "checks"}
	meta := props["metadata"].(map[string]any)
	meta["required"] = []string{"name"}
	spec := props["checks"].(map[string]any)["items"].(map[string]any)
	spec["required"] = []string{"name"}
	var oneOf []any
	for _, t := range checkTypes {
		oneOf = append(oneOf, map[string]any{"required": []string{t}})
	}
	spec["oneOf"] = oneOf
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = "https://labctl.dev/schemas/checkset.json"
	s["title"] = "labctl CheckSet"
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

var durationType = reflect.TypeFor[Duration]()

// schemaFor maps a Go type (json tags, embedded structs inlined) to a schema.
func schemaFor(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == durationType {
		return map[string]any{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`}
	}
	switch t.Kind() {
	case reflect.Struct:
		props := map[string]any{}
		for name, ft := range jsonFields(t) {
			props[name] = schemaFor(ft)
		}
		return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaFor(t.Elem())}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaFor(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	}
	// any: free-form (resource match fragments).
	return map[string]any{}
}
