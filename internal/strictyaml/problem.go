package strictyaml

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one thing wrong with a file: where it is and what to do.
type Problem struct {
	// File names the source, as given by the caller.
	File string `json:"file"`
	// Line is 1-based; 0 when the problem has no single line.
	Line int `json:"line,omitempty"`
	// Field is the path of the field, e.g. spec.mesh or checks[0].timeout;
	// "" for the document itself.
	Field string `json:"field,omitempty"`
	// Message says what is wrong and, where possible, what to write instead.
	Message string `json:"message"`
}

// Error formats the problem as file:line: field: message.
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.File == "" {
		b.WriteString("<input>")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Field != "" {
		b.WriteString(": ")
		b.WriteString(p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	return b.String()
}

// Error is every problem found in one decode, in the order of the file.
type Error struct {
	Problems []Problem
}

// Error prints one problem per line.
func (e *Error) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap exposes each problem to errors.As.
func (e *Error) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// Problems returns the problems of err: the list of an *Error, a single
// Problem, or, for any other error, one Problem holding its text under file.
// nil for a nil error.
func Problems(file string, err error) []Problem {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	var p Problem
	if errors.As(err, &p) {
		return []Problem{p}
	}
	return []Problem{{File: file, Message: err.Error()}}
}
