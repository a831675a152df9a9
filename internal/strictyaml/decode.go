package strictyaml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Default limits. Files people write for labctl are a few kilobytes; the caps
// leave a wide margin and still refuse a hostile file in milliseconds.
const (
	// DefaultMaxBytes caps the size of one file (1 MiB).
	DefaultMaxBytes = 1 << 20
	// DefaultMaxAliasNodes caps how many nodes aliases may add in total when
	// they are expanded (an alias of a 10-node mapping adds 10).
	DefaultMaxAliasNodes = 10_000
)

// Options tune a decode. The zero value is the strict default: one document,
// DefaultMaxBytes, DefaultMaxAliasNodes.
type Options struct {
	// MaxBytes caps the input size; 0 means DefaultMaxBytes.
	MaxBytes int
	// MaxAliasNodes caps alias expansion; 0 means DefaultMaxAliasNodes.
	MaxAliasNodes int
	// MultiDocument allows several documents separated by ---. Only
	// DecodeAll honours it; Decode always wants exactly one document.
	MultiDocument bool
}

func (o Options) maxBytes() int {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

func (o Options) maxAliasNodes() int {
	if o.MaxAliasNodes > 0 {
		return o.MaxAliasNodes
	}
	return DefaultMaxAliasNodes
}

const (
	msgAliases   = "aliases (*name) expand to too many values: write the values out or use fewer aliases"
	msgLimitTail = "is it the right file?"
)

// IsLimit reports whether err is a refusal for size or alias expansion (as
// opposed to a mistake in the content).
func IsLimit(err error) bool {
	for _, p := range Problems("", err) {
		if p.Message == msgAliases || strings.HasSuffix(p.Message, "limit: "+msgLimitTail) {
			return true
		}
	}
	return false
}

// Positions maps each field path seen in a document to its line, so errors
// found after decoding (semantic validation) can name the line too.
type Positions map[string]int

// Line returns the line of path or, when path was not in the file (a
// defaulted field), of its closest parent that was; 0 if none was.
func (p Positions) Line(path string) int {
	for path != "" {
		if l, ok := p[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return p[""]
}

// Decode decodes the single YAML document in data into out, a pointer to a
// struct with json tags. file names the source in problems. On failure the
// error is an *Error listing every problem found.
func Decode(file string, data []byte, out any, opts Options) (Positions, error) {
	docs, err := parse(file, data, opts, false)
	if err != nil {
		return nil, err
	}
	return decodeNode(file, docs[0], out, opts)
}

// DecodeAll decodes every document of data into a new T each. Several
// documents are accepted only with opts.MultiDocument; empty documents are
// skipped. Problems of all documents are reported together.
func DecodeAll[T any](file string, data []byte, opts Options) ([]T, []Positions, error) {
	docs, err := parse(file, data, opts, opts.MultiDocument)
	if err != nil {
		return nil, nil, err
	}
	out := make([]T, len(docs))
	pos := make([]Positions, len(docs))
	var problems []Problem
	for i, d := range docs {
		p, err := decodeNode(file, d, &out[i], opts)
		pos[i] = p
		problems = append(problems, Problems(file, err)...)
	}
	if len(problems) > 0 {
		return nil, nil, &Error{Problems: problems}
	}
	return out, pos, nil
}

// parse checks the size and splits data into its non-empty documents.
func parse(file string, data []byte, opts Options, multi bool) ([]*yaml.Node, error) {
	if max := opts.maxBytes(); len(data) > max {
		return nil, Problem{File: file, Message: fmt.Sprintf("the file is %s, over the %s limit: %s", size(len(data)), size(max), msgLimitTail)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, yamlProblem(file, err)
		}
		if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
			root := doc.Content[0]
			if root.Kind == yaml.ScalarNode && root.Tag == "!!null" && root.Value == "" {
				continue // an empty document, e.g. after a trailing ---
			}
			docs = append(docs, root)
		}
		if len(docs) > 1 && !multi {
			return nil, Problem{File: file, Line: docs[1].Line,
				Message: "a second YAML document (after ---): this file holds exactly one; remove the --- separator or split the file"}
		}
	}
	if len(docs) == 0 {
		return nil, Problem{File: file, Message: "the file is empty"}
	}
	return docs, nil
}

func decodeNode(file string, root *yaml.Node, out any, opts Options) (Positions, error) {
	t := reflect.TypeOf(out)
	if t == nil || t.Kind() != reflect.Pointer {
		return nil, fmt.Errorf("strictyaml: Decode needs a pointer, got %T", out)
	}
	w := &walker{file: file, pos: Positions{}, budget: opts.maxAliasNodes()}
	generic := w.walk(root, t.Elem(), "")
	if len(w.problems) > 0 {
		return w.pos, &Error{Problems: w.result()}
	}
	js, err := json.Marshal(generic)
	if err != nil {
		return w.pos, Problem{File: file, Line: root.Line, Message: err.Error()}
	}
	jd := json.NewDecoder(bytes.NewReader(js))
	jd.DisallowUnknownFields()
	if err := jd.Decode(out); err != nil {
		return w.pos, Problem{File: file, Message: err.Error()}
	}
	return w.pos, nil
}

// yamlProblem turns a parser error ("yaml: line 3: ...") into a Problem.
func yamlProblem(file string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if _, scanErr := fmt.Sscanf(n, "%d", &line); scanErr == nil {
				msg = after
			}
		}
	}
	return Problem{File: file, Line: line, Message: "not valid YAML: " + msg}
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
