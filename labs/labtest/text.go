package labtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/labctl/labctl/labs/engine"
	"github.com/labctl/labctl/verify"
)

// WriteSummary writes the summary table: lab, mode, case, result,
// duration, and why for cases that did not pass; then the diagnostics
// folders and the verdict.
func WriteSummary(w io.Writer, rep *Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAB\tMODE\tSTEP\tRESULT\tDURATION\tNOTE")
	for _, l := range rep.Labs {
		for _, c := range l.Cases {
			note := firstLine(c.Message)
			if len(c.Changes) > 0 {
				var chs []string
				for _, ch := range c.Changes {
					chs = append(chs, ch.String())
				}
				note = "left behind: " + strings.Join(chs, "; ")
			}
			if c.Result == Pass {
				if n := skipNote(c); n != "" {
					note = n
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.Lab, l.Mode, c.Name, c.Result, round(c.Seconds), note)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, l := range rep.Labs {
		if l.Diagnostics != "" {
			fmt.Fprintf(w, "Diagnostics of %s (%s): %s\n", l.Lab, l.Mode, l.Diagnostics)
		}
	}
	verdict := "PASSED"
	if !rep.Passed {
		verdict = "FAILED"
	}
	c := rep.Counts
	_, err := fmt.Fprintf(w, "%s: %d lab run(s), %d passed, %d failed, %d error(s), %d skipped in %s\n",
		verdict, len(rep.Labs), c.Pass, c.Fail, c.Error, c.Skipped, round(rep.Seconds))
	return err
}

// skipNote says what of a passing case was skipped and why: checks, and
// actions of the solution (load and exec on a simulated cluster).
func skipNote(c Case) string {
	var parts []string
	for _, group := range []struct {
		what    string
		reasons []string
	}{{"check(s)", checkReasons(c.Skips())}, {"action(s)", actionReasons(c.SkippedActions())}} {
		if len(group.reasons) == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%d %s skipped: %s", len(group.reasons), group.what, strings.Join(uniq(group.reasons), "; ")))
	}
	return strings.Join(parts, "; ")
}

func checkReasons(rs []verify.Result) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Reason)
	}
	return out
}

func actionReasons(as []engine.ActionResult) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.Action+": "+a.Reason)
	}
	return out
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func round(s float64) string {
	d := time.Duration(s * float64(time.Second))
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
