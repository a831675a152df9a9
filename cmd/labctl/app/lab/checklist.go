package lab

import (
	"fmt"
	"io"
	"strings"

	"github.com/labctl/labctl/labs/engine"
	"github.com/labctl/labctl/verify"
	"github.com/labctl/labctl/verify/report"
)

// document is a step as one Markdown document (the same as `lab show`).
func document(v engine.StepView) string {
	sv := &StepView{Lab: v.Lab, Title: v.LabTitle, Step: v.Number, Steps: v.Total, ID: v.ID, StepTitle: v.Title,
		Markdown: v.Markdown, Hints: v.HintsLeft + len(v.Hints)}
	return sv.Document()
}

// writeChecklist prints results as a checklist: every check with what it
// observed; failing ones with what was expected, why, and their hint.
func writeChecklist(w io.Writer, title string, rep verify.Report) {
	rep = rep.Redacted()
	fmt.Fprintf(w, "%s\n", title)
	for _, r := range rep.Results {
		fmt.Fprintf(w, " %s %s (%s)", report.Mark(r.Status), r.Name, r.Type)
		if r.Status == verify.StatusSkipped {
			fmt.Fprintf(w, ": skipped: %s\n", r.Reason)
			continue
		}
		fmt.Fprintln(w)
		detail(w, "observed", r.Observed)
		if r.OK() {
			continue
		}
		detail(w, "expected", r.Expected)
		detail(w, "why", r.Message)
		detail(w, "hint", r.Hint)
	}
	c := rep.Counts
	fmt.Fprintf(w, "%d passed, %d failed, %d error(s), %d skipped\n", c.Pass, c.Fail, c.Error, c.Skipped)
}

func detail(w io.Writer, label, v string) {
	if v == "" {
		return
	}
	fmt.Fprintf(w, "     %s: %s\n", label, v)
}

func writeReset(w io.Writer, rs *engine.Reset) {
	fmt.Fprintf(w, "Reset to the start of step %d of %d (%s): %d lab object(s) applied", rs.Step.Number, rs.Step.Total, rs.Step.ID, rs.Applied)
	for _, part := range []struct {
		what  string
		items []string
	}{{"restored", rs.Restored}, {"removed", rs.Pruned}, {"relabelled namespace", rs.Relabelled}, {"restarted", rs.Restarted}} {
		if len(part.items) > 0 {
			fmt.Fprintf(w, "; %s %s", part.what, strings.Join(part.items, ", "))
		}
	}
	fmt.Fprintf(w, " (%.1fs).\n", rs.Seconds)
}

func writeStatus(w io.Writer, st *engine.Status) error {
	fmt.Fprintf(w, "Lab %s (%s) in environment %q: step %d of %d, %d done.\n", st.Lab, st.Title, st.Env, st.Step, st.Total, st.Done)
	for _, s := range st.Steps {
		mark := " "
		switch {
		case s.Done:
			mark = "✓"
		case s.Current:
			mark = "▶"
		}
		line := fmt.Sprintf(" %s %d %s: %s", mark, s.Number, s.ID, s.Title)
		var notes []string
		if s.Solved {
			notes = append(notes, "solved")
		}
		if s.HintsShown > 0 {
			notes = append(notes, fmt.Sprintf("%d hint(s) shown", s.HintsShown))
		}
		if s.CheckedAt != nil {
			pass := 0
			for _, c := range s.Checks {
				if c.Status == string(verify.StatusPass) || c.Status == string(verify.StatusSkipped) {
					pass++
				}
			}
			notes = append(notes, fmt.Sprintf("checked %s: %d/%d ok", s.CheckedAt.Local().Format("15:04:05"), pass, len(s.Checks)))
		}
		if len(notes) > 0 {
			line += " (" + strings.Join(notes, ", ") + ")"
		}
		fmt.Fprintln(w, line)
	}
	ns, name, _ := strings.Cut(st.ApplySet, "/")
	_, err := fmt.Fprintf(w, "What the lab applied: ApplySet parent ConfigMap %s/%s (kubectl get configmap %s -n %s -o yaml).\n", ns, name, name, ns)
	return err
}

func writeStopped(w io.Writer, st *engine.Stopped) {
	fmt.Fprintf(w, "Stopped lab %s: %d of %d steps done.", st.Lab, st.Done, st.Steps)
	if len(st.Pruned) > 0 {
		fmt.Fprintf(w, " Removed %s.", strings.Join(st.Pruned, ", "))
	}
	if len(st.Changes) == 0 {
		fmt.Fprintln(w, " The environment is as the lab found it.")
		return
	}
	fmt.Fprintf(w, "\nThe environment differs from when the lab started:\n")
	for _, c := range st.Changes {
		fmt.Fprintf(w, "  %s\n", c)
	}
}

// writeActions prints the actions a learner should know about: skipped
// ones with the reason, and what each load sent and measured.
func writeActions(w io.Writer, acts []engine.ActionResult) {
	for _, a := range acts {
		switch {
		case a.Status == engine.ActionSkipped:
			fmt.Fprintf(w, " %s %s: skipped: %s\n", report.Mark(verify.StatusSkipped), a.Action, a.Reason)
		case a.Load != nil:
			l := a.Load
			fmt.Fprintf(w, " • %s (%s): %d request(s) to %s in %.1fs (%.1f/s): %s; latency p50 %.1fms, p90 %.1fms, p99 %.1fms\n",
				a.Action, l.Mode, l.Requests, l.URL, l.Seconds, l.RPS, l.CodesText(), l.P50, l.P90, l.P99)
		}
	}
}
