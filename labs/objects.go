package labs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
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

// ObjectError is a manifest document that is not a valid object.
type ObjectError struct {
	Source string
	// Line is where the document starts (1-based), 0 if unknown.
	Line    int
	Message string
}

func (e *ObjectError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Source, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Source, e.Message)
}

// ParseObjects parses YAML (or JSON) documents into objects; every object
// needs apiVersion, kind and metadata.name (or generateName). Empty
// documents are skipped; a manifest without any object is an error. Errors
// are *ObjectError with the line of the document.
func ParseObjects(source string, data []byte) ([]*unstructured.Unstructured, error) {
	if len(data) > maxManifestBytes {
		return nil, &ObjectError{Source: source, Message: fmt.Sprintf("%d bytes is too big for a lab manifest (limit %d)", len(data), maxManifestBytes)}
	}
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	var out []*unstructured.Unstructured
	for {
		var doc yamlv3.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p := problemFromDecode(source, fmt.Errorf("%s: %w", source, err))
			return nil, &ObjectError{Source: source, Line: p.Line, Message: p.Message}
		}
		if len(doc.Content) == 0 || (doc.Content[0].Kind == yamlv3.ScalarNode && doc.Content[0].Tag == "!!null") {
			continue
		}
		root := doc.Content[0]
		fail := func(format string, args ...any) error {
			return &ObjectError{Source: source, Line: root.Line, Message: fmt.Sprintf(format, args...)}
		}
		if root.Kind != yamlv3.MappingNode {
			return nil, fail("not a Kubernetes object: expected a mapping with apiVersion, kind and metadata")
		}
		var obj map[string]any
		if err := root.Decode(&obj); err != nil {
			return nil, fail("%v", err)
		}
		// Through JSON, so numbers and maps have the types unstructured wants.
		j, err := json.Marshal(obj)
		if err != nil {
			return nil, fail("%v", err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(j); err != nil {
			if msg := checkObjectMap(obj); msg != nil {
				return nil, fail("%v", msg)
			}
			return nil, fail("%v", err)
		}
		if err := checkObject(u); err != nil {
			return nil, fail("%v", err)
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, &ObjectError{Source: source, Message: "no Kubernetes objects in the manifest"}
	}
	return out, nil
}

// checkObjectMap explains why a mapping is no object (unstructured's own
// message for a missing kind is terse).
func checkObjectMap(obj map[string]any) error {
	return checkObject(&unstructured.Unstructured{Object: obj})
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
