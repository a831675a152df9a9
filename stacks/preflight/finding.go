package preflight

import (
	"fmt"
	"strings"
)

// Severity of a finding.
type Severity string

// Severities: an Error stops `up`; a Warning is printed and `up` goes on.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Finding is one failed (or doubtful) preflight check.
type Finding struct {
	// Check names the check, e.g. "docker", "inotify", "ports".
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	// Problem says what is wrong, with the observed value.
	Problem string `json:"problem"`
	// Fix says exactly what to do, commands included.
	Fix string `json:"fix,omitempty"`
}

// Report is the outcome of a preflight run.
type Report []Finding

// Errors returns only the blocking findings.
func (r Report) Errors() Report {
	var out Report
	for _, f := range r {
		if f.Severity == Error {
			out = append(out, f)
		}
	}
	return out
}

// Warnings returns only the non-blocking findings.
func (r Report) Warnings() Report {
	var out Report
	for _, f := range r {
		if f.Severity == Warning {
			out = append(out, f)
		}
	}
	return out
}

// Err returns an error describing every blocking finding, or nil.
func (r Report) Err() error {
	errs := r.Errors()
	if len(errs) == 0 {
		return nil
	}
	return &FailedError{Findings: errs}
}

// FailedError is returned when preflight finds blocking problems.
type FailedError struct {
	Findings Report
}

func (e *FailedError) Error() string {
	var b strings.Builder
	b.WriteString("preflight failed:")
	for _, f := range e.Findings {
		fmt.Fprintf(&b, "\n  ✗ %s: %s", f.Check, f.Problem)
		if f.Fix != "" {
			for _, line := range strings.Split(f.Fix, "\n") {
				fmt.Fprintf(&b, "\n      %s", line)
			}
		}
	}
	return b.String()
}

// String renders a finding on one or more lines.
func (f Finding) String() string {
	s := fmt.Sprintf("%s: %s", f.Check, f.Problem)
	if f.Fix != "" {
		s += "\n  fix: " + strings.ReplaceAll(f.Fix, "\n", "\n       ")
	}
	return s
}
