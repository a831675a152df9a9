package labtest

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/labctl/labctl/labs/engine"
	"github.com/labctl/labctl/verify"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes the report as JUnit XML: one testsuite per lab and
// mode, one testcase per step (classname = lab id, which Jenkins and
// GitLab group by), plus the reset proof and the stop. A step whose
// checks were all skipped is <skipped> with the reasons; skipped checks of
// a passing step are listed in its system-out.
func WriteJUnit(w io.Writer, rep *Report) error {
	out := junitSuites{Name: "labctl test", Time: secs(rep.Seconds)}
	for _, l := range rep.Labs {
		s := junitSuite{Name: fmt.Sprintf("%s (%s)", l.Lab, l.Mode), Time: secs(l.Seconds),
			Properties: []junitProperty{{"stack", l.Stack}, {"mode", l.Mode}, {"environment", l.Environment}}}
		if l.Diagnostics != "" {
			s.Properties = append(s.Properties, junitProperty{"diagnostics", l.Diagnostics})
		}
		for _, c := range l.Cases {
			jc := junitCase{Classname: l.Lab, Name: c.Name, Time: secs(c.Seconds)}
			switch c.Result {
			case Fail:
				jc.Failure = &junitProblem{Message: firstLine(c.Message), Type: "fail", Body: details(c)}
				s.Failures++
			case Error:
				jc.Error = &junitProblem{Message: firstLine(c.Message), Type: "error", Body: details(c)}
				s.Errors++
			case Skipped:
				jc.Skipped = &junitSkipped{Message: c.Message}
				s.Skipped++
			}
			if c.Result != Skipped {
				var skips []string
				for _, r := range c.Skips() {
					skips = append(skips, fmt.Sprintf("skipped check %s (%s): %s", r.Name, r.Type, r.Reason))
				}
				for _, a := range c.Actions {
					switch {
					case a.Status == engine.ActionSkipped:
						skips = append(skips, fmt.Sprintf("skipped action %s: %s", a.Action, a.Reason))
					case a.Load != nil:
						skips = append(skips, fmt.Sprintf("%s (%s): %d request(s) to %s, %s", a.Action, a.Load.Mode, a.Load.Requests, a.Load.URL, a.Load.CodesText()))
					}
				}
				jc.SystemOut = strings.Join(skips, "\n")
			}
			s.Tests++
			s.Cases = append(s.Cases, jc)
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
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

func secs(s float64) string { return fmt.Sprintf("%.3f", s) }
