package labs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// maxManifestBytes bounds one manifest file; lab manifests are small.
const maxManifestBytes = 4 << 20

// Objects returns the objects of an apply or delete action, parsed from its
// file or inline YAML. A delete by kind/name returns that one object (with
// only apiVersion, kind, name and namespace). Namespaces are left as
// written: Manifest.Namespace is the default the engine applies to
// namespaced kinds that name none. Other action types have no objects.
func (l *Lab) Objects(a Action) ([]*unstructured.Unstructured, error) {
	var m Manifest
	switch {
	case a.Apply != nil:
		m = a.Apply.Manifest
	case a.Delete != nil && a.Delete.Kind != "":
		d := a.Delete
		u := &unstructured.Unstructured{}
		u.SetAPIVersion(d.APIVersion)
		u.SetKind(d.Kind)
		u.SetName(d.Name)
		u.SetNamespace(d.Namespace)
		return []*unstructured.Unstructured{u}, nil
	case a.Delete != nil:
		m = a.Delete.Manifest
	default:
		return nil, nil
	}
	if m.File != "" {
		data, err := l.ReadFile(m.File)
		if err != nil {
			return nil, err
		}
		return ParseObjects(l.File(m.File), data)
	}
	return ParseObjects("inline manifest", []byte(m.Inline))
}

// ParseObjects parses YAML or JSON documents into objects; every object
// needs apiVersion, kind and metadata.name (or generateName). Empty
// documents are skipped; a manifest without any object is an error.
func ParseObjects(source string, data []byte) ([]*unstructured.Unstructured, error) {
	if len(data) > maxManifestBytes {
		return nil, fmt.Errorf("%s: %d bytes is too big for a lab manifest (limit %d)", source, len(data), maxManifestBytes)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var out []*unstructured.Unstructured
	for doc := 1; ; doc++ {
		var obj map[string]any
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %v", source, doc, err)
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		if err := checkObject(u); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, doc, err)
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no Kubernetes objects in the manifest", source)
	}
	return out, nil
}

func checkObject(u *unstructured.Unstructured) error {
	av, _ := u.Object["apiVersion"].(string)
	kind, _ := u.Object["kind"].(string)
	switch {
	case av == "" && kind == "":
		return errors.New("not a Kubernetes object: apiVersion and kind are missing")
	case av == "":
		return fmt.Errorf("%s has no apiVersion", kind)
	case kind == "":
		return fmt.Errorf("object of apiVersion %s has no kind", av)
	}
	if _, err := schema.ParseGroupVersion(av); err != nil {
		return fmt.Errorf("%s: apiVersion %q: %v", kind, av, err)
	}
	if strings.HasSuffix(kind, "List") {
		return fmt.Errorf("%s: write the items as separate documents (--- between them), not a List", kind)
	}
	md, ok := u.Object["metadata"].(map[string]any)
	if !ok {
		return fmt.Errorf("%s has no metadata (metadata.name is required)", kind)
	}
	name, _ := md["name"].(string)
	gen, _ := md["generateName"].(string)
	if name == "" && gen == "" {
		return fmt.Errorf("%s has no metadata.name", kind)
	}
	return nil
}
