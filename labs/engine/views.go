package engine

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/internal/state"
)

// StepView is one step as the learner sees it.
type StepView struct {
	Lab      string `json:"lab"`
	LabTitle string `json:"labTitle"`
	// Number is 1-based; Total is the lab's number of steps.
	Number int    `json:"number"`
	Total  int    `json:"total"`
	ID     string `json:"id"`
	Title  string `json:"title"`
	// Markdown is the instructions with includes expanded.
	Markdown string `json:"markdown"`
	Done     bool   `json:"done"`
	// Hints are the hints shown so far; HintsLeft how many remain.
	Hints     []string `json:"hints,omitempty"`
	HintsLeft int      `json:"hintsLeft"`
	Checks    int      `json:"checks"`
}

func (s *session) view(n int) (StepView, error) {
	l := s.lab
	if n < 1 || n > len(l.Spec.Steps) {
		return StepView{}, fmt.Errorf("lab %s has steps 1..%d, not %d", l.ID(), len(l.Spec.Steps), n)
	}
	st := l.Spec.Steps[n-1]
	md, err := l.StepMarkdown(n - 1)
	if err != nil {
		return StepView{}, err
	}
	v := StepView{Lab: l.ID(), LabTitle: l.Metadata.Title, Number: n, Total: len(l.Spec.Steps), ID: st.ID, Title: st.Title,
		Markdown: md, Checks: len(st.Checks)}
	shown := 0
	if p := s.progress(n); p != nil {
		v.Done = p.Done
		shown = min(p.HintsShown, len(st.Hints))
	}
	v.Hints = append([]string{}, st.Hints[:shown]...)
	v.HintsLeft = len(st.Hints) - shown
	return v, nil
}

// progress returns the record of step n (1-based), nil when none.
func (s *session) progress(n int) *state.StepProgress {
	if s.env.Lab == nil || n < 1 || n > len(s.env.Lab.Steps) {
		return nil
	}
	return &s.env.Lab.Steps[n-1]
}

// Status is the active lab's progress.
type Status struct {
	Lab       string       `json:"lab"`
	Title     string       `json:"title"`
	Source    string       `json:"source,omitempty"`
	Env       string       `json:"environment"`
	Step      int          `json:"step"`
	Total     int          `json:"total"`
	Done      int          `json:"done"`
	Complete  bool         `json:"complete"`
	StartedAt time.Time    `json:"startedAt"`
	Steps     []StepStatus `json:"steps"`
	// ApplySet is the parent object that tracks what the lab applied.
	ApplySet string `json:"applySet"`
}

// StepStatus is one step's progress.
type StepStatus struct {
	Number     int                 `json:"number"`
	ID         string              `json:"id"`
	Title      string              `json:"title"`
	Current    bool                `json:"current"`
	Done       bool                `json:"done"`
	Solved     bool                `json:"solved,omitempty"`
	HintsShown int                 `json:"hintsShown"`
	Checks     []state.CheckRecord `json:"checks,omitempty"`
	CheckedAt  *time.Time          `json:"checkedAt,omitempty"`
}

// Status returns the active lab's progress.
func (e *Engine) Status(ctx context.Context) (*Status, error) {
	s, err := e.open(ctx, true, false)
	if err != nil {
		return nil, err
	}
	p := s.env.Lab
	st := &Status{Lab: p.Lab, Title: s.lab.Metadata.Title, Source: p.Source, Env: s.env.Name, Step: p.Step, Total: len(s.lab.Spec.Steps),
		StartedAt: p.StartedAt, ApplySet: p.ApplySet}
	for i, step := range s.lab.Spec.Steps {
		ss := StepStatus{Number: i + 1, ID: step.ID, Title: step.Title, Current: i+1 == p.Step}
		if r := s.progress(i + 1); r != nil {
			ss.Done, ss.Solved, ss.HintsShown, ss.Checks, ss.CheckedAt = r.Done, r.Solved, r.HintsShown, r.Checks, r.CheckedAt
		}
		if ss.Done {
			st.Done++
		}
		st.Steps = append(st.Steps, ss)
	}
	st.Complete = st.Done == st.Total
	return st, nil
}

// Progress summarises a lab's progress in the environment for `lab list`:
// "step 2/3" while active, "done 3/3" (or "stopped at 1/3") after a stop,
// "" when never started. A missing environment record is no progress.
func (e *Engine) Progress(id string) string {
	env, err := e.Store.Load(e.EnvName)
	if err != nil {
		return ""
	}
	if p := env.Lab; p != nil && p.Lab == id {
		return fmt.Sprintf("step %d/%d", p.Step, len(p.Steps))
	}
	for _, r := range env.LabResults {
		if r.Lab == id {
			if r.Done == r.Steps {
				return fmt.Sprintf("done %d/%d", r.Done, r.Steps)
			}
			return fmt.Sprintf("stopped at %d/%d", r.Done, r.Steps)
		}
	}
	return ""
}

// Show returns step n of the active lab (0: the current step).
func (e *Engine) Show(ctx context.Context, n int) (StepView, error) {
	s, err := e.open(ctx, true, false)
	if err != nil {
		return StepView{}, err
	}
	if n == 0 {
		n = s.env.Lab.Step
	}
	return s.view(n)
}

// namespaceLabels returns a namespace's labels (nil when it does not exist).
func (s *session) namespaceLabels(ctx context.Context, ns string) (map[string]string, error) {
	n, err := s.c.Kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading namespace %s: %w", ns, err)
	}
	return n.Labels, nil
}
