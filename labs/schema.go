package labs

import (
	"encoding/json"
	"reflect"

	"github.com/labctl/labctl/internal/strictyaml"
	"github.com/labctl/labctl/verify"
)

// SchemaID is where the published lab schema lives (assets/schemas/lab.json).
const SchemaID = "https://labctl.dev/schemas/lab.json"

// Schema returns a JSON Schema (draft 2020-12) of lab.yaml, derived from
// the Go types like the check-set schema, so it cannot drift from the
// strict decoder: editors (yaml-language-server) complete fields and flag
// typos with it. Actions and checks are shared definitions with exactly
// one type each.
func Schema() ([]byte, error) {
	g := &schemaGen{defs: map[string]any{}}
	s := g.schemaFor(reflect.TypeFor[Lab]())
	props := s["properties"].(map[string]any)
	props["apiVersion"] = map[string]any{"const": APIVersion}
	props["kind"] = map[string]any{"const": KindLab}
	s["required"] = []string{"apiVersion", "kind", "metadata", "spec"}
	obj(props, "metadata")["required"] = []string{"name", "title"}
	spec := obj(props, "spec")
	spec["required"] = []string{"stack", "scope", "steps"}
	sp := spec["properties"].(map[string]any)
	modes := obj(sp, "modes")
	modes["items"] = map[string]any{"enum": []string{ModeSidecar, ModeAmbient}}
	pre := obj(sp, "prerequisites")
	pre["uniqueItems"] = true
	pre["items"] = map[string]any{"type": "string", "pattern": `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, "maxLength": 63}
	obj(sp, "scope")["required"] = []string{"namespaces"}
	step := obj(sp, "steps")["items"].(map[string]any)
	step["required"] = []string{"id", "title", "solution", "checks"}
	step["oneOf"] = []any{
		map[string]any{"required": []string{"instructions"}},
		map[string]any{"required": []string{"text"}},
	}

	msg := obj(step["properties"].(map[string]any), "istioMessages")["items"].(map[string]any)
	msg["required"] = []string{"code", "reason"}
	obj(msg["properties"].(map[string]any), "code")["pattern"] = istioCodeRE.String()

	action := g.defs["action"].(map[string]any)
	var oneOf []any
	for _, t := range ActionTypes {
		oneOf = append(oneOf, map[string]any{"required": []string{t}})
	}
	action["oneOf"] = oneOf
	ap := action["properties"].(map[string]any)
	obj(ap, ActionTraffic)["required"] = []string{"state"}
	obj(obj(ap, ActionTraffic)["properties"].(map[string]any), "state")["enum"] = []string{TrafficOn, TrafficOff}
	obj(ap, ActionWaypoint)["required"] = []string{"namespace", "action"}
	obj(obj(ap, ActionWaypoint)["properties"].(map[string]any), "action")["enum"] = []string{WaypointDeploy, WaypointRemove}
	obj(ap, ActionScale)["required"] = []string{"namespace", "name", "replicas"}
	obj(ap, ActionLabel)["required"] = []string{"namespace", "labels"}
	obj(ap, ActionUnlabel)["required"] = []string{"namespace", "keys"}
	obj(ap, ActionRolloutRestart)["required"] = []string{"namespace"}
	obj(ap, ActionExec)["required"] = []string{"namespace", "command"}
	obj(ap, ActionLoad)["required"] = []string{"target"}

	check := g.defs["check"].(map[string]any)
	check["required"] = []string{"name"}
	oneOf = nil
	for _, t := range []string{verify.TypePods, verify.TypeResource, verify.TypeHTTP, verify.TypeSplit,
		verify.TypePromQL, verify.TypeKiali, verify.TypeTrace, verify.TypeExec} {
		oneOf = append(oneOf, map[string]any{"required": []string{t}})
	}
	check["oneOf"] = oneOf

	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = SchemaID
	s["title"] = "labctl Lab"
	s["$defs"] = g.defs
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func obj(props map[string]any, name string) map[string]any { return props[name].(map[string]any) }

type schemaGen struct{ defs map[string]any }

var (
	durationType = reflect.TypeFor[Duration]()
	actionType   = reflect.TypeFor[Action]()
	checkType    = reflect.TypeFor[verify.Spec]()
)

// schemaFor maps a Go type (json tags, embedded structs inlined) to a
// schema; Action and verify.Spec become $defs.
func (g *schemaGen) schemaFor(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case durationType:
		return map[string]any{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`}
	case actionType:
		return g.def("action", t)
	case checkType:
		return g.def("check", t)
	}
	switch t.Kind() {
	case reflect.Struct:
		return g.structSchema(t)
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schemaFor(t.Elem())}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schemaFor(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	}
	return map[string]any{} // any: free-form (resource match fragments)
}

func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	for name, ft := range strictyaml.Fields(t) {
		props[name] = g.schemaFor(ft)
	}
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

func (g *schemaGen) def(name string, t reflect.Type) map[string]any {
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = nil // reserve against recursion
		g.defs[name] = g.structSchema(t)
	}
	return map[string]any{"$ref": "#/$defs/" + name}
}
