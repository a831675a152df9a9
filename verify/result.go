package verify

import (
	"time"

	"github.com/labctl/labctl/internal/redact"
)

// Status is the outcome of one check.
type Status string

// Check outcomes.
const (
	// StatusPass: the check saw the expected state `successes` times in a row.
	StatusPass Status = "pass"
	// StatusFail: the check observed the system and it was not as expected
	// when the timeout expired.
	StatusFail Status = "fail"
	// StatusSkipped: the check cannot run here (Reason says why); it neither
	// passes nor fails a set.
	StatusSkipped Status = "skipped"
	// StatusError: the check could not observe the system (bad spec, API
	// unreachable, interrupted).
	StatusError Status = "error"
)

// SkipSimulated is the reason data-plane checks give on a simulated cluster.
const SkipSimulated = "simulated cluster has no data plane"

// Interrupted is the message of checks cut short by context cancellation.
const Interrupted = "interrupted"

// Result is the outcome of one check.
type Result struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Status Status `json:"status"`
	// Reason is set for skipped checks.
	Reason   string        `json:"reason,omitempty"`
	Duration time.Duration `json:"-"`
	// Seconds is Duration for JSON readers.
	Seconds  float64 `json:"durationSeconds"`
	Attempts int     `json:"attempts"`
	// Observed is the last observed value, Expected what the check wanted.
	Observed string `json:"observed,omitempty"`
	Expected string `json:"expected,omitempty"`
	// Message explains a failure or error (the last attempt's).
	Message string `json:"message,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

// Redacted returns the result with the credentials of every URL in its
// text fields masked (a check's URL may carry user:password@ or a token
// query parameter, and error messages quote it).
func (r Result) Redacted() Result {
	for _, f := range []*string{&r.Name, &r.Reason, &r.Observed, &r.Expected, &r.Message, &r.Hint} {
		*f = redact.Text(*f)
	}
	return r
}

// Redacted returns the report with every result redacted.
func (r Report) Redacted() Report {
	res := make([]Result, len(r.Results))
	for i, x := range r.Results {
		res[i] = x.Redacted()
	}
	r.Results = res
	r.Name = redact.Text(r.Name)
	return r
}

// OK reports whether the result does not fail a set: passed or skipped.
func (r Result) OK() bool { return r.Status == StatusPass || r.Status == StatusSkipped }

// Report is the outcome of a check set.
type Report struct {
	// Name is the check set's (or lab step's) name.
	Name     string        `json:"name"`
	Results  []Result      `json:"results"`
	Duration time.Duration `json:"-"`
	Seconds  float64       `json:"durationSeconds"`
	Passed   bool          `json:"passed"`
	Counts   Counts        `json:"counts"`
}

// Counts tallies results by status.
type Counts struct {
	Pass    int `json:"pass"`
	Fail    int `json:"fail"`
	Skipped int `json:"skipped"`
	Error   int `json:"error"`
}

// finish fills the derived fields from the results.
func (r *Report) finish(d time.Duration) {
	r.Duration, r.Seconds = d, d.Seconds()
	r.Counts = Counts{}
	for _, res := range r.Results {
		switch res.Status {
		case StatusPass:
			r.Counts.Pass++
		case StatusFail:
			r.Counts.Fail++
		case StatusSkipped:
			r.Counts.Skipped++
		default:
			r.Counts.Error++
		}
	}
	r.Passed = r.Counts.Fail == 0 && r.Counts.Error == 0
}
