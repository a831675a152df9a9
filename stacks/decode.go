package stacks

import (
	"fmt"
	"strings"

	"github.com/labctl/labctl/internal/strictyaml"
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
	file := e.File
	if file == "" {
		file = "stack"
	}
	return strictyaml.Problem{File: file, Line: e.Line, Field: e.Path, Message: e.Msg}.Error()
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

// decodeStrict decodes a stack document with labctl's strict YAML decoder
// (unknown fields, wrong types, duplicate keys, size and alias caps) and
// returns the line of every field path, for later semantic errors.
func decodeStrict(file string, data []byte, out *Stack) (strictyaml.Positions, error) {
	pos, err := strictyaml.Decode(file, data, out, strictyaml.Options{})
	if err == nil {
		return pos, nil
	}
	ve := &ValidationError{}
	for _, p := range strictyaml.Problems(file, err) {
		msg := p.Message
		if p.Field == "" && msg == "the file is empty" {
			msg = "the file is empty: expected a Stack document"
		}
		ve.Errs = append(ve.Errs, &FieldError{File: p.File, Line: p.Line, Path: p.Field, Msg: msg})
	}
	return pos, ve
}

// readFile reads a stack file within the decoder's size cap.
func readFile(path string) ([]byte, error) {
	src, err := strictyaml.ReadFile(path, 0)
	if err != nil {
		return nil, fmt.Errorf("reading stack file: %w", err)
	}
	return src, nil
}
