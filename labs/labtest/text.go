package labtest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
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
				if skips := c.Skips(); len(skips) > 0 {
					reasons := map[string]bool{}
					var rs []string
					for _, s := range skips {
						if !reasons[s.Reason] {
							reasons[s.Reason] = true
							rs = append(rs, s.Reason)
						}
					}
					note = fmt.Sprintf("%d check(s) skipped: %s", len(skips), strings.Join(rs, "; "))
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
