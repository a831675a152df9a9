package labs

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// The include directive: a line of its own in a Markdown file,
//
//	{{< include "manifests/route-v1.yaml" >}}
//
// is replaced by a fenced code block with that file of the lab folder, so
// the learner reads exactly what `lab solve` applies.
var includeRE = regexp.MustCompile(`^[ \t]*\{\{<\s*include\s+"([^"]*)"\s*>\}\}[ \t]*$`)

// looseIncludeRE finds lines that look like an include but are malformed.
var looseIncludeRE = regexp.MustCompile(`\{\{<\s*include\b`)

// StepMarkdown returns step i's instructions (0-based) with every include
// directive expanded.
func (l *Lab) StepMarkdown(i int) (string, error) {
	if i < 0 || i >= len(l.Spec.Steps) {
		return "", fmt.Errorf("lab %s has steps 1..%d, not %d", l.ID(), len(l.Spec.Steps), i+1)
	}
	s := l.Spec.Steps[i]
	if s.Text != "" || s.Instructions == "" {
		md, _, err := l.expand("spec.steps["+fmt.Sprint(i)+"].text", s.Text)
		return md, err
	}
	raw, err := l.ReadFile(s.Instructions)
	if err != nil {
		return "", err
	}
	md, _, err := l.expand(s.Instructions, string(raw))
	return md, err
}

// Includes lists the files a Markdown text includes, with the line of each.
func Includes(md string) (files []string, lines []int) {
	for n, line := range strings.Split(md, "\n") {
		if m := includeRE.FindStringSubmatch(line); m != nil {
			files = append(files, m[1])
			lines = append(lines, n+1)
		}
	}
	return files, lines
}

// expand replaces include directives; where names the Markdown in errors.
// It returns the included files too.
func (l *Lab) expand(where, md string) (string, []string, error) {
	lines := strings.Split(md, "\n")
	var b strings.Builder
	var files []string
	for n, line := range lines {
		m := includeRE.FindStringSubmatch(line)
		if m == nil {
			if looseIncludeRE.MatchString(line) {
				return "", nil, fmt.Errorf("%s:%d: malformed include directive: write {{< include \"path/in/lab.yaml\" >}} on a line of its own", where, n+1)
			}
			b.WriteString(line)
			if n < len(lines)-1 {
				b.WriteByte('\n')
			}
			continue
		}
		body, err := l.ReadFile(m[1])
		if err != nil {
			return "", nil, fmt.Errorf("%s:%d: include: %w", where, n+1, err)
		}
		files = append(files, m[1])
		fence := "```"
		for strings.Contains(string(body), fence) {
			fence += "`"
		}
		text := strings.TrimRight(string(body), "\n")
		fmt.Fprintf(&b, "%s%s title=%q\n%s\n%s", fence, fenceLang(m[1]), m[1], text, fence)
		if n < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String(), files, nil
}

func fenceLang(file string) string {
	switch strings.ToLower(path.Ext(file)) {
	case ".yaml", ".yml":
		return "yaml"
	case ".json":
		return "json"
	case ".sh":
		return "sh"
	}
	return "text"
}
