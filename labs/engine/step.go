package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/verify"
)

// CheckOptions tune Check.
type CheckOptions struct {
	// Once runs every check a single time with FailBeforeTimeout instead
	// of retrying it (labctl test, before a solution, when the checks are
	// expected to fail).
	Once bool
	// NoAdvance keeps the current step when the checks pass.
	NoAdvance bool
	// MaxTimeout, when set, caps each check's retry timeout (a learner
	// waiting at the terminal wants an answer soon).
	MaxTimeout time.Duration
}

// Checked is the outcome of checking a step.
type Checked struct {
	Step   StepView      `json:"step"`
	Report verify.Report `json:"report"`
	Passed bool          `json:"passed"`
	// Next is the step the learner moves to after a pass (nil after the
	// last step: then Complete is set).
	Next     *StepView `json:"next,omitempty"`
	Complete bool      `json:"complete"`
	// Solved is set when Solve applied the reference solution first;
	// Actions are what its actions did.
	Solved  bool           `json:"solved,omitempty"`
	Actions []ActionResult `json:"actions,omitempty"`
}

// Check runs the current step's checks, records their results and, when
// they pass, marks the step done and moves to the next one.
func (e *Engine) Check(ctx context.Context, o CheckOptions) (*Checked, error) {
	s, err := e.open(ctx, true, false)
	if err != nil {
		return nil, err
	}
	return s.check(ctx, o)
}

func (s *session) check(ctx context.Context, o CheckOptions) (*Checked, error) {
	n := s.env.Lab.Step
	step := s.lab.Spec.Steps[n-1]
	specs := step.Checks
	if o.Once {
		specs = once(specs)
	} else if o.MaxTimeout > 0 {
		specs = capped(specs, o.MaxTimeout)
	}
	rep, err := s.runChecks(ctx, specs)
	if err != nil {
		return nil, err
	}
	rep.Name = fmt.Sprintf("%s/%s", s.lab.ID(), step.ID)
	at := s.e.now()
	total := len(s.lab.Spec.Steps)
	err = s.update(func(p *state.LabProgress) error {
		if p.Step != n {
			return fmt.Errorf("the lab moved to step %d while step %d was checked: run `labctl lab check` again", p.Step, n)
		}
		r := &p.Steps[n-1]
		r.Checks, r.CheckedAt = records(rep, at), &at
		if rep.Passed {
			r.Done, r.DoneAt = true, &at
			if n < total && !o.NoAdvance {
				p.Step = n + 1
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &Checked{Report: rep, Passed: rep.Passed}
	if out.Step, err = s.view(n); err != nil {
		return nil, err
	}
	if rep.Passed {
		if n < total && !o.NoAdvance {
			next, err := s.view(n + 1)
			if err != nil {
				return nil, err
			}
			out.Next = &next
		}
		out.Complete = s.allDone()
	}
	return out, nil
}

func (s *session) allDone() bool {
	for _, st := range s.env.Lab.Steps {
		if !st.Done {
			return false
		}
	}
	return true
}

// once makes every check a single quick attempt.
func once(specs []verify.Spec) []verify.Spec {
	out := make([]verify.Spec, len(specs))
	for i, sp := range specs {
		sp.Timeout = verify.Duration{Duration: FailBeforeTimeout}
		sp.Interval = verify.Duration{Duration: FailBeforeTimeout}
		sp.Successes = 1
		out[i] = sp
	}
	return out
}

// capped bounds every check's timeout by max (split checks keep their
// own: their sample size sets it).
func capped(specs []verify.Spec, max time.Duration) []verify.Spec {
	out := make([]verify.Spec, len(specs))
	for i, sp := range specs {
		if sp.Split == nil && (sp.Timeout.Duration == 0 || sp.Timeout.Duration > max) {
			sp.Timeout = verify.Duration{Duration: max}
			if sp.Interval.Duration > max {
				sp.Interval = verify.Duration{Duration: max}
			}
		}
		out[i] = sp
	}
	return out
}

// Hint is one hint of the current step.
type Hint struct {
	Step StepView `json:"step"`
	// Number is 1-based among the step's hints; Text the hint.
	Number int    `json:"number"`
	Total  int    `json:"total"`
	Text   string `json:"text"`
	// Repeated is set when every hint was shown already (Text is the last).
	Repeated bool `json:"repeated,omitempty"`
}

// Hint shows the current step's next hint.
func (e *Engine) Hint(ctx context.Context) (*Hint, error) {
	s, err := e.open(ctx, true, false)
	if err != nil {
		return nil, err
	}
	n := s.env.Lab.Step
	hints := s.lab.Spec.Steps[n-1].Hints
	if len(hints) == 0 {
		return nil, fmt.Errorf("step %d (%s) has no hints: `labctl lab check` shows what each check observed, `labctl lab solve` applies the solution", n, s.lab.Spec.Steps[n-1].ID)
	}
	h := &Hint{Total: len(hints)}
	err = s.update(func(p *state.LabProgress) error {
		r := &p.Steps[n-1]
		if r.HintsShown >= len(hints) {
			h.Repeated = true
			r.HintsShown = len(hints)
		} else {
			r.HintsShown++
		}
		h.Number = r.HintsShown
		return nil
	})
	if err != nil {
		return nil, err
	}
	h.Text = hints[h.Number-1]
	if h.Step, err = s.view(n); err != nil {
		return nil, err
	}
	return h, nil
}

// Solve applies the current step's reference solution, then checks it.
func (e *Engine) Solve(ctx context.Context, o CheckOptions) (*Checked, error) {
	s, err := e.open(ctx, true, true)
	if err != nil {
		return nil, err
	}
	n := s.env.Lab.Step
	step := s.lab.Spec.Steps[n-1]
	acts, err := s.runActions(ctx, fmt.Sprintf("step %d (%s) solution", n, step.ID), step.Solution)
	if err != nil {
		return nil, err
	}
	if err := s.update(func(p *state.LabProgress) error { p.Steps[n-1].Solved = true; return nil }); err != nil {
		return nil, err
	}
	out, err := s.check(ctx, o)
	if out != nil {
		out.Solved, out.Actions = true, acts
	}
	return out, err
}

// Next moves to the next step once the current one is done.
func (e *Engine) Next(ctx context.Context) (StepView, error) {
	s, err := e.open(ctx, true, false)
	if err != nil {
		return StepView{}, err
	}
	n := s.env.Lab.Step
	total := len(s.lab.Spec.Steps)
	if n >= total {
		return StepView{}, fmt.Errorf("step %d is the lab's last: `labctl lab stop` ends the lab", n)
	}
	if !s.env.Lab.Steps[n-1].Done {
		return StepView{}, fmt.Errorf("step %d (%s) is not done yet: `labctl lab check` checks it, `labctl lab solve` applies its solution, `labctl lab goto %d` skips ahead", n, s.lab.Spec.Steps[n-1].ID, n+1)
	}
	if err := s.update(func(p *state.LabProgress) error { p.Step = n + 1; return nil }); err != nil {
		return StepView{}, err
	}
	return s.view(n + 1)
}
