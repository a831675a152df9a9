package labs

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a lab, located in a file.
type Problem struct {
	// File is the file to fix, as the user can find it: a path on disk or
	// "labs/samples/NAME/lab.yaml" for a built-in lab.
	File string `json:"file"`
	// Line is 1-based; 0 when the problem is about the whole file.
	Line int `json:"line,omitempty"`
	// Field is the field path ("spec.steps[1].solution[0].apply.file").
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// String formats the problem as file:line: field: message.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one go; as an error it lists them one
// per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort orders problems by file, line and message.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Message < b.Message
	})
}

// Err returns ps as an error, nil when empty.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// decodeErrRE splits a strict-decoder message "FILE:LINE: rest".
var decodeErrRE = regexp.MustCompile(`^(.*?):(\d+): (.*)$`)

// problemFromDecode turns a decoder error into a Problem of file.
func problemFromDecode(file string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), file+": ")
	if m := decodeErrRE.FindStringSubmatch(err.Error()); m != nil && m[1] == file {
		line, _ := strconv.Atoi(m[2])
		rest := m[3]
		return Problem{File: file, Line: line, Message: rest}
	}
	// yaml.v3 syntax errors read "yaml: line N: ...".
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{File: file, Line: line, Message: "invalid YAML: " + m[2]}
	}
	return Problem{File: file, Message: msg}
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+)): (.*)$`)
