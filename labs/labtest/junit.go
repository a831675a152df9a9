package labtest

import (
	"fmt"
	"io"
	"strings"

	"github.com/labctl/labctl/internal/junit"
	"github.com/labctl/labctl/labs/engine"
	"github.com/labctl/labctl/verify"
)

// WriteJUnit writes the report as JUnit XML: one testsuite per lab and
// mode, one testcase per step (classname = lab id, which Jenkins and
// GitLab group by), plus the reset proof and the stop. A step whose
// checks were all skipped is <skipped> with the reasons; skipped checks of
// a passing step are listed in its system-out.
func WriteJUnit(w io.Writer, rep *Report) error {
	out := junit.Suites{Name: "labctl test", Time: junit.Seconds(rep.Seconds)}
	for _, l := range rep.Labs {
		props := []junit.Property{{Name: "stack", Value: l.Stack}, {Name: "mode", Value: l.Mode}, {Name: "environment", Value: l.Environment}}
		if l.Diagnostics != "" {
			props = append(props, junit.Property{Name: "diagnostics", Value: l.Diagnostics})
		}
		s := junit.Suite{Name: fmt.Sprintf("%s (%s)", l.Lab, l.Mode), Time: junit.Seconds(l.Seconds), Properties: junit.Props(props...)}
		for _, c := range l.Cases {
			jc := junit.Case{Name: c.Name, Classname: l.Lab, Time: junit.Seconds(c.Seconds)}
			switch c.Result {
			case Fail:
				jc.Failure = &junit.Problem{Message: firstLine(c.Message), Type: "fail", Body: details(c)}
			case Error:
				jc.Error = &junit.Problem{Message: firstLine(c.Message), Type: "error", Body: details(c)}
			case Skipped:
				jc.Skipped = &junit.Skip{Message: c.Message}
			}
			if c.Result != Skipped {
				jc.SystemOut = junit.Output(systemOut(c))
			}
			s.Add(jc)
		}
		out.Add(s)
	}
	return junit.Write(w, out)
}

// systemOut lists the skipped checks and actions of a case, and what its
// loads sent.
func systemOut(c Case) string {
	var lines []string
	for _, r := range c.Skips() {
		lines = append(lines, fmt.Sprintf("skipped check %s (%s): %s", r.Name, r.Type, r.Reason))
	}
	for _, a := range c.Actions {
		switch {
		case a.Status == engine.ActionSkipped:
			lines = append(lines, fmt.Sprintf("skipped action %s: %s", a.Action, a.Reason))
		case a.Load != nil:
			lines = append(lines, fmt.Sprintf("%s (%s): %d request(s) to %s, %s", a.Action, a.Load.Mode, a.Load.Requests, a.Load.URL, a.Load.CodesText()))
		}
	}
	return strings.Join(lines, "\n")
}

// details lists what each check that did not pass observed.
func details(c Case) string {
	var b strings.Builder
	b.WriteString(c.Message)
	for _, run := range []struct {
		what string
		rep  *verify.Report
	}{{"before the solution", c.Before}, {"after the solution", c.After}} {
		if run.rep == nil {
			continue
		}
		fmt.Fprintf(&b, "\nchecks %s:", run.what)
		for _, r := range run.rep.Redacted().Results {
			fmt.Fprintf(&b, "\n  %s %s (%s): %s", r.Status, r.Name, r.Type, orDash(r.Observed))
			if r.Message != "" {
				fmt.Fprintf(&b, " — %s", r.Message)
			}
		}
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return "observed " + s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
