package labtest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/labs/engine"
	"github.com/labctl/labctl/verify"
)

// Group is the labs that share one environment: same stack, same mode.
type Group struct {
	Stack string
	Mode  string
	Labs  []*labs.Lab
}

// Groups sorts labs into groups: a lab runs once in every mode it
// supports. Groups and the labs in them are sorted.
func Groups(ls []*labs.Lab) []Group {
	idx := map[[2]string]int{}
	var out []Group
	for _, l := range ls {
		for _, m := range l.SupportedModes() {
			k := [2]string{l.Spec.Stack, m}
			i, ok := idx[k]
			if !ok {
				i = len(out)
				idx[k] = i
				out = append(out, Group{Stack: k[0], Mode: k[1]})
			}
			out[i].Labs = append(out[i].Labs, l)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Stack+"/"+out[i].Mode < out[j].Stack+"/"+out[j].Mode
	})
	for _, g := range out {
		sort.Slice(g.Labs, func(i, j int) bool { return g.Labs[i].ID() < g.Labs[j].ID() })
	}
	return out
}

// Environment is where a group runs.
type Environment struct {
	Name   string
	Engine *engine.Engine
	// Release is called when the group is done; failed says whether a lab
	// failed (to keep the environment with --keep-on-failure).
	Release func(ctx context.Context, failed bool) error
}

// Options tune Run.
type Options struct {
	// FromStep starts every lab at this step (earlier solutions replayed).
	FromStep int
	// FailFast stops at the first failing step.
	FailFast bool
	// KeepOnFailure leaves a failed lab started (and its environment up).
	KeepOnFailure bool
	// DiagDir is where diagnostics bundles go (one folder per failed lab).
	DiagDir string
	// Prepare returns a group's environment.
	Prepare func(ctx context.Context, g Group) (*Environment, error)
	// OnCase, when set, is called after every case (status lines).
	OnCase func(l LabResult, c Case)
}

// Run runs every group's labs and returns the report.
func Run(ctx context.Context, groups []Group, o Options) *Report {
	start := time.Now()
	rep := &Report{Labs: []LabResult{}}
	stopped := false
	for _, g := range groups {
		if stopped {
			break
		}
		env, err := o.Prepare(ctx, g)
		if err != nil {
			for _, l := range g.Labs {
				lr := LabResult{Lab: l.ID(), Title: l.Metadata.Title, Stack: g.Stack, Mode: g.Mode}
				lr.Cases = append(lr.Cases, Case{Name: "environment", Result: Error, Message: err.Error()})
				rep.Labs = append(rep.Labs, lr)
			}
			stopped = o.FailFast
			continue
		}
		failed := false
		for _, l := range g.Labs {
			lr := runLab(ctx, env, g, l, o)
			lr.Passed = passed(lr)
			rep.Labs = append(rep.Labs, lr)
			if !lr.Passed {
				failed = true
				if o.FailFast || ctx.Err() != nil {
					stopped = true
					break
				}
			}
		}
		if env.Release != nil {
			if err := env.Release(ctx, failed); err != nil {
				rep.Labs = append(rep.Labs, LabResult{Lab: "environment " + env.Name, Stack: g.Stack, Mode: g.Mode,
					Cases: []Case{{Name: "release", Result: Error, Message: err.Error()}}})
			}
		}
	}
	rep.Finish(time.Since(start))
	return rep
}

func passed(l LabResult) bool {
	for _, c := range l.Cases {
		if c.Result == Fail || c.Result == Error || (c.Result == Skipped && c.Message == "") {
			return false
		}
	}
	return true
}

type labRun struct {
	ctx context.Context
	e   *engine.Engine
	o   Options
	lr  *LabResult
}

func (r *labRun) add(c Case, started time.Time) bool {
	c.Duration = time.Since(started)
	c.Seconds = c.Duration.Seconds()
	r.lr.Cases = append(r.lr.Cases, c)
	if r.o.OnCase != nil {
		r.o.OnCase(*r.lr, c)
	}
	return c.Result == Pass || c.Result == Skipped
}

func runLab(ctx context.Context, env *Environment, g Group, l *labs.Lab, o Options) LabResult {
	start := time.Now()
	lr := LabResult{Lab: l.ID(), Title: l.Metadata.Title, Stack: g.Stack, Mode: g.Mode, Environment: env.Name}
	r := &labRun{ctx: ctx, e: env.Engine, o: o, lr: &lr}
	defer func() { lr.Duration = time.Since(start); lr.Seconds = lr.Duration.Seconds() }()
	t := time.Now()
	if _, err := r.e.Start(ctx, l.ID(), engine.StartOptions{Force: true}); err != nil {
		var real *engine.NeedsRealClusterError
		if errors.As(err, &real) {
			r.add(Case{Name: "start", Result: Skipped, Message: "needs a real cluster: " + real.Reason}, t)
			return lr
		}
		r.add(Case{Name: "start", Result: Error, Message: err.Error()}, t)
		r.finish(l, false)
		return lr
	}
	from := max(o.FromStep, 1)
	if from > len(l.Spec.Steps) {
		r.add(Case{Name: "start", Result: Error, Message: fmt.Sprintf("--from-step %d: lab %s has %d steps", from, l.ID(), len(l.Spec.Steps))}, t)
		r.finish(l, false)
		return lr
	}
	if from > 1 {
		if _, err := r.e.Goto(ctx, from); err != nil {
			r.add(Case{Name: fmt.Sprintf("goto %d", from), Result: Error, Message: err.Error()}, t)
			r.finish(l, false)
			return lr
		}
	}
	ok := true
	for n := from; n <= len(l.Spec.Steps); n++ {
		st := l.Spec.Steps[n-1]
		if !r.step(fmt.Sprintf("%d %s", n, st.ID), n, st.MustFailBefore()) {
			ok = false
			if o.FailFast {
				break
			}
		}
		if ctx.Err() != nil {
			ok = false
			break
		}
	}
	if ok {
		k := max(len(l.Spec.Steps)-1, from)
		t := time.Now()
		if _, err := r.e.Reset(ctx, engine.ResetOptions{Step: k}); err != nil {
			ok = r.add(Case{Name: fmt.Sprintf("reset to %d", k), Step: k, Result: Error, Message: err.Error()}, t)
		} else {
			ok = r.step(fmt.Sprintf("reset to %d", k), k, l.Spec.Steps[k-1].MustFailBefore())
		}
	}
	r.finish(l, ok)
	return lr
}

// step checks that the current step's checks fail (when they must), solves
// it and checks that they pass.
func (r *labRun) step(name string, n int, failBefore bool) bool {
	t := time.Now()
	c := Case{Name: name, Step: n}
	if failBefore {
		ck, err := r.e.Check(r.ctx, engine.CheckOptions{Once: true, NoAdvance: true})
		if err != nil {
			c.Result, c.Message = Error, err.Error()
			return r.add(c, t)
		}
		c.Before = &ck.Report
		if ran := ck.Report.Counts.Pass + ck.Report.Counts.Fail + ck.Report.Counts.Error; ran > 0 && ck.Passed {
			c.Result = Fail
			c.Message = "the checks pass before the solution is applied, so they do not show the step was done (fix the checks, or set failsBefore: false)"
			return r.add(c, t)
		}
	}
	ck, err := r.e.Solve(r.ctx, engine.CheckOptions{NoAdvance: strings.HasPrefix(name, "reset")})
	if err != nil {
		c.Result, c.Message = Error, err.Error()
		return r.add(c, t)
	}
	c.After, c.Actions = &ck.Report, ck.Actions
	switch {
	case !ck.Passed:
		c.Result, c.Message = Fail, failures(ck.Report)
	case ck.Report.Counts.Skipped == len(ck.Report.Results) && len(ck.Report.Results) > 0:
		c.Result, c.Message = Skipped, skipReasons(ck.Report)
	default:
		c.Result = Pass
	}
	return r.add(c, t)
}

// finish writes diagnostics on failure and stops the lab (unless it is to
// be kept), recording the stop as a case.
func (r *labRun) finish(l *labs.Lab, ok bool) {
	if !ok && r.o.DiagDir != "" {
		dir := filepath.Join(r.o.DiagDir, fmt.Sprintf("%s-%s", l.ID(), r.lr.Mode))
		if err := r.e.Collect(r.ctx, dir); err != nil && !errors.Is(err, engine.ErrNoActiveLab) {
			r.lr.Diagnostics = dir + " (incomplete: " + err.Error() + ")"
		} else if err == nil {
			r.lr.Diagnostics = dir
		}
	}
	if !ok && r.o.KeepOnFailure {
		return
	}
	t := time.Now()
	st, err := r.e.Stop(r.ctx)
	switch {
	case errors.Is(err, engine.ErrNoActiveLab):
		return
	case engine.IsLeak(err):
		r.add(Case{Name: "stop", Result: Fail, Message: err.Error(), Changes: st.Changes}, t)
	case err != nil:
		r.add(Case{Name: "stop", Result: Error, Message: err.Error()}, t)
	default:
		r.add(Case{Name: "stop", Result: Pass}, t)
	}
}

func failures(rep verify.Report) string {
	var out []string
	for _, res := range rep.Results {
		if !res.OK() {
			m := fmt.Sprintf("%s: %s", res.Name, res.Message)
			if res.Observed != "" {
				m += " (observed " + res.Observed + ")"
			}
			out = append(out, m)
		}
	}
	return strings.Join(out, "; ")
}

func skipReasons(rep verify.Report) string {
	var out []string
	for _, res := range rep.Results {
		out = append(out, res.Name+": "+res.Reason)
	}
	return "every check was skipped: " + strings.Join(out, "; ")
}
