package charts

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// The object-by-object comparison of a chart's render with an upstream
// manifest (see upstream_test.go). Each object becomes a flat set of facets,
// "Kind/namespace/name path" -> value, for what decides whether the app
// runs as upstream's does: images, commands and args, env, ports, probes,
// labels, service accounts, volumes. Everything else (resources, security
// contexts, Helm bookkeeping) is left out on purpose.

// object is one decoded manifest document.
type object = map[string]any

// decodeObjects splits a multi-document YAML stream into objects, skipping
// empty documents and Lists' wrappers.
func decodeObjects(src string) ([]object, error) {
	var out []object
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(src, -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			return nil, fmt.Errorf("decoding %q: %w", firstLine(doc), err)
		}
		if len(o) == 0 {
			continue
		}
		out = append(out, o)
	}
	return out, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// facets flattens objects into "Kind/namespace/name path" -> JSON value.
// namespace is used for objects that set none.
func facets(objs []object, namespace string) map[string]string {
	out := map[string]string{}
	for _, o := range objs {
		kind := str(o, "kind")
		ns := str(o, "metadata", "namespace")
		if ns == "" {
			ns = namespace
		}
		id := fmt.Sprintf("%s/%s/%s", kind, ns, str(o, "metadata", "name"))
		put := func(path string, v any) {
			if v == nil {
				return
			}
			out[id+" "+path] = js(v)
		}
		put("exists", true)
		for k, v := range mapAt(o, "metadata", "labels") {
			put("labels."+k, v)
		}
		switch kind {
		case "Deployment", "StatefulSet", "DaemonSet":
			for k, v := range mapAt(o, "spec", "selector", "matchLabels") {
				put("selector."+k, v)
			}
			for k, v := range mapAt(o, "spec", "template", "metadata", "labels") {
				put("pod.labels."+k, v)
			}
			for k, v := range mapAt(o, "spec", "template", "metadata", "annotations") {
				put("pod.annotations."+k, v)
			}
			spec := mapAt(o, "spec", "template", "spec")
			sa, _ := spec["serviceAccountName"].(string)
			put("serviceAccountName", orDefault(sa))
			for _, v := range list(spec["volumes"]) {
				vm, _ := v.(map[string]any)
				name, _ := vm["name"].(string)
				delete(vm, "name")
				if ed, ok := vm["emptyDir"]; ok && ed == nil {
					vm["emptyDir"] = map[string]any{} // "emptyDir:" and "emptyDir: {}" are the same volume
				}
				put("volumes."+name, vm)
			}
			for _, field := range []string{"initContainers", "containers"} {
				for _, c := range list(spec[field]) {
					containerFacets(field, c, put)
				}
			}
		case "Service":
			t, _ := mapAt(o, "spec")["type"].(string)
			if t == "" {
				t = "ClusterIP"
			}
			put("type", t)
			for k, v := range mapAt(o, "spec", "selector") {
				put("selector."+k, v)
			}
			for _, p := range list(mapAt(o, "spec")["ports"]) {
				pm, _ := p.(map[string]any)
				port := js(pm["port"])
				put("ports["+port+"].name", pm["name"])
				tp := pm["targetPort"]
				if tp == nil {
					tp = pm["port"]
				}
				put("ports["+port+"].targetPort", tp)
				proto := pm["protocol"]
				if proto == nil {
					proto = "TCP"
				}
				put("ports["+port+"].protocol", proto)
				put("ports["+port+"].appProtocol", pm["appProtocol"])
			}
		}
	}
	return out
}

func containerFacets(field string, c any, put func(string, any)) {
	cm, _ := c.(map[string]any)
	name, _ := cm["name"].(string)
	p := fmt.Sprintf("%s[%s].", field, name)
	put(p+"exists", true)
	if img, ok := cm["image"].(string); ok {
		reg, name, tag := splitImage(img)
		put(p+"image.registry", reg)
		put(p+"image.name", name)
		put(p+"image.tag", tag)
	}
	put(p+"command", cm["command"])
	put(p+"args", cm["args"])
	for _, e := range list(cm["env"]) {
		em, _ := e.(map[string]any)
		n, _ := em["name"].(string)
		if v, ok := em["valueFrom"]; ok {
			put(p+"env."+n, map[string]any{"valueFrom": v})
		} else {
			put(p+"env."+n, fmt.Sprint(em["value"]))
		}
	}
	for _, port := range list(cm["ports"]) {
		pm, _ := port.(map[string]any)
		put(p+"ports["+js(pm["containerPort"])+"]", true)
		put(p+"ports["+js(pm["containerPort"])+"].name", pm["name"])
	}
	for _, probe := range []string{"readinessProbe", "livenessProbe", "startupProbe"} {
		put(p+probe, cm[probe])
	}
	for _, m := range list(cm["volumeMounts"]) {
		mm, _ := m.(map[string]any)
		n, _ := mm["name"].(string)
		delete(mm, "name")
		put(p+"volumeMounts."+n, mm)
	}
}

// splitImage splits "reg.io/path/name:tag" into the registry with its path
// ("reg.io/path"), the image name and the tag; a Docker Hub image without a
// registry gets docker.io (and library/ for official images).
func splitImage(img string) (registry, name, tag string) {
	ref := img
	if i := strings.LastIndex(img, ":"); i > strings.LastIndex(img, "/") {
		ref, tag = img[:i], img[i+1:]
	}
	if tag == "" {
		tag = "latest"
	}
	i := strings.LastIndex(ref, "/")
	if i < 0 {
		return "docker.io/library", ref, tag
	}
	registry, name = ref[:i], ref[i+1:]
	if first, _, _ := strings.Cut(registry, "/"); !strings.ContainsAny(first, ".:") && first != "localhost" {
		registry = "docker.io/" + registry
	}
	return registry, name, tag
}

func orDefault(sa string) string {
	if sa == "" {
		return "default"
	}
	return sa
}

// difference is one facet that differs; Upstream or Ours is "" when the
// facet exists on one side only.
type difference struct {
	Key, Upstream, Ours string
}

func (d difference) String() string {
	show := func(s string) string {
		if s == "" {
			return "(absent)"
		}
		return s
	}
	return fmt.Sprintf("%s: upstream %s, ours %s", d.Key, show(d.Upstream), show(d.Ours))
}

// diffFacets lists every facet that differs, sorted by key.
func diffFacets(upstream, ours map[string]string) []difference {
	keys := map[string]bool{}
	for k := range upstream {
		keys[k] = true
	}
	for k := range ours {
		keys[k] = true
	}
	var out []difference
	for k := range keys {
		if upstream[k] != ours[k] {
			out = append(out, difference{Key: k, Upstream: upstream[k], Ours: ours[k]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// declared is an intended difference: every difference whose key matches
// Key (a glob: * matches anything) is explained by Reason.
type declared struct {
	Key    string
	Reason string
}

func (d declared) matches(diff difference) bool {
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(d.Key), `\*`, ".*") + "$"
	return regexp.MustCompile(re).MatchString(diff.Key)
}

func str(o map[string]any, path ...string) string {
	m := mapAt(o, path[:len(path)-1]...)
	s, _ := m[path[len(path)-1]].(string)
	return s
}

func mapAt(o map[string]any, path ...string) map[string]any {
	cur := o
	for _, p := range path {
		next, _ := cur[p].(map[string]any)
		if next == nil {
			return map[string]any{}
		}
		cur = next
	}
	return cur
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func js(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}
