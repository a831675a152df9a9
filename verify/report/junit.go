package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/labctl/labctl/internal/junit"
	"github.com/labctl/labctl/verify"
)

// WriteJUnit prints the reports as JUnit XML (internal/junit): a testsuite
// per check set (or lab step), a testcase per check. Failures and errors
// carry the message as attribute and observed/expected/hint in the body.
func WriteJUnit(w io.Writer, reps ...verify.Report) error {
	out := junit.Suites{Name: "labctl check"}
	total := 0.0
	for _, rep := range reps {
		rep = rep.Redacted()
		s := junit.Suite{Name: rep.Name, Time: junit.Seconds(rep.Seconds)}
		for _, r := range rep.Results {
			c := junit.Case{Name: r.Name, Classname: rep.Name + "." + r.Type, Time: junit.Seconds(r.Seconds)}
			switch r.Status {
			case verify.StatusSkipped:
				c.Skipped = &junit.Skip{Message: r.Reason}
			case verify.StatusFail:
				c.Failure = &junit.Problem{Message: r.Message, Type: "fail", Body: body(r)}
			case verify.StatusError:
				c.Error = &junit.Problem{Message: r.Message, Type: "error", Body: body(r)}
			}
			s.Add(c)
		}
		total += rep.Seconds
		out.Add(s)
	}
	out.Time = junit.Seconds(total)
	return junit.Write(w, out)
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
