package labs

import (
	"github.com/labctl/labctl/internal/strictyaml"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a lab, located in a file: File is the file
// to fix as the user can find it (a path on disk, or
// "labs/samples/NAME/lab.yaml" for a built-in lab), Line is 1-based (0 for
// the whole file), Field the field path
// ("spec.steps[1].solution[0].apply.file"). It is the strict decoder's
// Problem, so decode and lint problems are one type with one format
// (file:line: field: message).
type Problem = strictyaml.Problem

// Problems is every problem found in one go; as an error it lists them one
// per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
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
