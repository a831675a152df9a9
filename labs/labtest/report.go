package labtest

import (
	"time"

	"github.com/labctl/labctl/labs/engine"
	"github.com/labctl/labctl/labs/scope"
	"github.com/labctl/labctl/verify"
)

// Outcomes of a case.
const (
	Pass    = "pass"
	Fail    = "fail"
	Skipped = "skipped"
	// Error: the case could not run (environment, start, an action).
	Error = "error"
)

// Case is one testcase: a step, the reset proof, or the final stop.
type Case struct {
	// Name is "1 scale-httpbin", "reset to 1" or "stop".
	Name string `json:"name"`
	// Step is the step number (0 for start/stop cases).
	Step   int    `json:"step,omitempty"`
	Result string `json:"result"`
	// Message says why the case failed, errored or was skipped.
	Message string `json:"message,omitempty"`
	// Before is the checks' run before the solution, After after it.
	Before *verify.Report `json:"before,omitempty"`
	After  *verify.Report `json:"after,omitempty"`
	// Actions are what the solution's actions did (skipped ones say why).
	Actions []engine.ActionResult `json:"actions,omitempty"`
	// Changes are the differences from the start snapshot (stop).
	Changes  []scope.Change `json:"changes,omitempty"`
	Duration time.Duration  `json:"-"`
	Seconds  float64        `json:"durationSeconds"`
}

// Skips lists the skipped checks of the case's after-run with reasons.
func (c *Case) Skips() []verify.Result {
	if c.After == nil {
		return nil
	}
	var out []verify.Result
	for _, r := range c.After.Results {
		if r.Status == verify.StatusSkipped {
			out = append(out, r)
		}
	}
	return out
}

// SkippedActions lists the solution's actions that were skipped.
func (c *Case) SkippedActions() []engine.ActionResult {
	var out []engine.ActionResult
	for _, a := range c.Actions {
		if a.Status == engine.ActionSkipped {
			out = append(out, a)
		}
	}
	return out
}

// LabResult is one lab's run in one mode.
type LabResult struct {
	Lab   string `json:"lab"`
	Title string `json:"title"`
	Stack string `json:"stack"`
	Mode  string `json:"mode"`
	// Environment is where it ran.
	Environment string `json:"environment"`
	Cases       []Case `json:"cases"`
	Passed      bool   `json:"passed"`
	// Diagnostics is the bundle directory written on failure.
	Diagnostics string        `json:"diagnostics,omitempty"`
	Duration    time.Duration `json:"-"`
	Seconds     float64       `json:"durationSeconds"`
}

// Counts tallies cases by result.
type Counts struct {
	Pass    int `json:"pass"`
	Fail    int `json:"fail"`
	Skipped int `json:"skipped"`
	Error   int `json:"error"`
}

// Report is a whole run.
type Report struct {
	Labs     []LabResult   `json:"labs"`
	Counts   Counts        `json:"counts"`
	Passed   bool          `json:"passed"`
	Duration time.Duration `json:"-"`
	Seconds  float64       `json:"durationSeconds"`
}

// Finish fills in the derived fields.
func (r *Report) Finish(d time.Duration) {
	r.Duration, r.Seconds = d, d.Seconds()
	r.Counts = Counts{}
	r.Passed = true
	for i := range r.Labs {
		l := &r.Labs[i]
		l.Passed = true
		for _, c := range l.Cases {
			switch c.Result {
			case Pass:
				r.Counts.Pass++
			case Skipped:
				r.Counts.Skipped++
				if c.Message == "" {
					l.Passed = false // a skip must say why
				}
			case Fail:
				r.Counts.Fail++
				l.Passed = false
			default:
				r.Counts.Error++
				l.Passed = false
			}
		}
		if !l.Passed {
			r.Passed = false
		}
	}
}
