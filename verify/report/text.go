package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/labctl/labctl/verify"
)

// ANSI colours, used only when the caller asks for colour (a smart
// terminal without NO_COLOR).
const (
	green  = "\x1b[32m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	grey   = "\x1b[90m"
	reset  = "\x1b[0m"
)

// Mark returns the checklist mark of a status.
func Mark(s verify.Status) string {
	switch s {
	case verify.StatusPass:
		return "✓"
	case verify.StatusFail:
		return "✗"
	case verify.StatusSkipped:
		return "⊘"
	}
	return "!"
}

func colour(s verify.Status) string {
	switch s {
	case verify.StatusPass:
		return green
	case verify.StatusFail:
		return red
	case verify.StatusSkipped:
		return grey
	}
	return yellow
}

// Line is the one-line summary of a result (the CLI's status lines use it).
func Line(r verify.Result) string {
	r = r.Redacted()
	switch r.Status {
	case verify.StatusSkipped:
		return fmt.Sprintf("%s (%s): skipped: %s", r.Name, r.Type, r.Reason)
	case verify.StatusPass:
		return fmt.Sprintf("%s (%s) %s", r.Name, r.Type, timing(r))
	}
	return fmt.Sprintf("%s (%s): %s %s", r.Name, r.Type, r.Status, timing(r))
}

func timing(r verify.Result) string {
	return fmt.Sprintf("[%s, %d attempt(s)]", round(r.Duration), r.Attempts)
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// WriteText prints the checklist; useColour adds ANSI colours to the marks.
func WriteText(w io.Writer, rep verify.Report, useColour bool) error {
	rep = rep.Redacted()
	var b strings.Builder
	if rep.Name != "" {
		fmt.Fprintf(&b, "Checks: %s\n", rep.Name)
	}
	for _, r := range rep.Results {
		mark := Mark(r.Status)
		if useColour {
			mark = colour(r.Status) + mark + reset
		}
		fmt.Fprintf(&b, " %s %s\n", mark, Line(r))
		if r.Status == verify.StatusFail || r.Status == verify.StatusError {
			detail(&b, "expected", r.Expected)
			detail(&b, "observed", r.Observed)
			detail(&b, "why", r.Message)
			detail(&b, "hint", r.Hint)
		}
	}
	c := rep.Counts
	verdict := "PASSED"
	if !rep.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "%s: %d passed, %d failed, %d error(s), %d skipped in %s\n",
		verdict, c.Pass, c.Fail, c.Error, c.Skipped, round(rep.Duration))
	_, err := io.WriteString(w, b.String())
	return err
}

func detail(b *strings.Builder, label, value string) {
	if value == "" {
		return
	}
	fmt.Fprintf(b, "     %-9s %s\n", label+":", value)
}
