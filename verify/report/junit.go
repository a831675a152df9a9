package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

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
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",cdata"`
}

// WriteJUnit prints the reports as JUnit XML: a testsuite per check set
// (or lab step), a testcase per check. Failures and errors carry the
// message as attribute and observed/expected/hint in the body.
func WriteJUnit(w io.Writer, reps ...verify.Report) error {
	out := junitSuites{Name: "labctl check"}
	total := 0.0
	for _, rep := range reps {
		rep = rep.Redacted()
		s := junitSuite{Name: rep.Name, Time: secs(rep.Seconds)}
		for _, r := range rep.Results {
			c := junitCase{Name: r.Name, Classname: rep.Name + "." + r.Type, Time: secs(r.Seconds)}
			switch r.Status {
			case verify.StatusSkipped:
				c.Skipped = &junitMessage{Message: r.Reason}
				s.Skipped++
			case verify.StatusFail:
				c.Failure = &junitMessage{Message: r.Message, Type: "fail", Body: body(r)}
				s.Failures++
			case verify.StatusError:
				c.Error = &junitMessage{Message: r.Message, Type: "error", Body: body(r)}
				s.Errors++
			}
			s.Tests++
			s.Cases = append(s.Cases, c)
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
		total += rep.Seconds
		out.Suites = append(out.Suites, s)
	}
	out.Time = secs(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func body(r verify.Result) string {
	var b strings.Builder
	for _, kv := range [][2]string{{"expected", r.Expected}, {"observed", r.Observed}, {"attempts", fmt.Sprint(r.Attempts)}, {"hint", r.Hint}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", kv[0], kv[1])
		}
	}
	return b.String()
}

func secs(s float64) string { return fmt.Sprintf("%.3f", s) }
