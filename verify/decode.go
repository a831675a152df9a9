package verify

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/labctl/labctl/internal/strictyaml"
)

// DecodeStrictYAML decodes YAML into v (a pointer to a struct with json
// tags, such as CheckSet or a lab step holding []Spec) with labctl's strict
// decoder: unknown fields, values of the wrong type, duplicate keys, several
// documents, oversized input and alias bombs are refused, every problem
// naming file, line and field path. The error is a *strictyaml.Error.
func DecodeStrictYAML(file string, data []byte, v any) error {
	_, err := strictyaml.Decode(file, data, v, strictyaml.Options{})
	return err
}

// jsonFields maps the JSON names of a struct's fields (embedded structs
// flattened) to their types, as the decoder sees them.
func jsonFields(t reflect.Type) map[string]reflect.Type { return strictyaml.Fields(t) }

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
// the source in errors. On failure the error is a *strictyaml.Error listing
// every problem with its line.
func ParseCheckSet(file string, data []byte) (*CheckSet, error) {
	var cs CheckSet
	pos, err := strictyaml.Decode(file, data, &cs, strictyaml.Options{})
	if err != nil {
		return nil, err
	}
	var problems []strictyaml.Problem
	if cs.APIVersion != CheckSetAPIVersion || cs.Kind != CheckSetKind {
		problems = append(problems, strictyaml.Problem{File: file, Line: pos.Line("kind"),
			Message: fmt.Sprintf("apiVersion/kind are %q/%q, want %s/%s", cs.APIVersion, cs.Kind, CheckSetAPIVersion, CheckSetKind)})
	}
	if cs.Metadata.Name == "" {
		problems = append(problems, strictyaml.Problem{File: file, Line: pos.Line("metadata.name"), Field: "metadata.name", Message: "is required"})
	}
	problems = append(problems, SpecProblems(file, pos, "checks", cs.Checks)...)
	if len(problems) > 0 {
		return nil, &strictyaml.Error{Problems: problems}
	}
	return &cs, nil
}

// LoadCheckSet reads and validates a check-set file (at most
// strictyaml.DefaultMaxBytes).
func LoadCheckSet(path string) (*CheckSet, error) {
	data, err := strictyaml.ReadFile(path, 0)
	if err != nil {
		return nil, fmt.Errorf("reading check set: %w", err)
	}
	return ParseCheckSet(path, data)
}

// ValidateSpecs validates every spec and that names are unique.
func ValidateSpecs(specs []Spec) error {
	var errs []error
	for _, p := range SpecProblems("", nil, "checks", specs) {
		if p.Field != "" {
			errs = append(errs, fmt.Errorf("%s: %s", p.Field, p.Message))
		} else {
			errs = append(errs, errors.New(p.Message))
		}
	}
	return errors.Join(errs...)
}

// SpecProblems validates specs decoded from file at path (e.g. "checks" or
// "spec.steps[2].checks"), using pos to give each problem its line: an
// empty list, a spec that fails Validate (the field it names, when it names
// one) and a repeated name.
func SpecProblems(file string, pos strictyaml.Positions, path string, specs []Spec) []strictyaml.Problem {
	if len(specs) == 0 {
		return []strictyaml.Problem{{File: file, Line: pos.Line(path), Field: path, Message: "no checks: add at least one entry"}}
	}
	var out []strictyaml.Problem
	seen := map[string]int{}
	for i := range specs {
		at := fmt.Sprintf("%s[%d]", path, i)
		if err := specs[i].Validate(); err != nil {
			field := at
			var fe *FieldError
			if errors.As(err, &fe) {
				field = at + "." + fe.Field
			}
			out = append(out, strictyaml.Problem{File: file, Line: pos.Line(field), Field: at, Message: err.Error()})
			continue
		}
		if j, dup := seen[specs[i].Name]; dup {
			out = append(out, strictyaml.Problem{File: file, Line: pos.Line(at + ".name"), Field: at,
				Message: fmt.Sprintf("name %q is already used by %s[%d]", specs[i].Name, path, j)})
		}
		seen[specs[i].Name] = i
	}
	return out
}

// FieldError is a Validate error about one field of a check (relative to
// the check, e.g. "interval" or "http.url").
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }
