package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Runner runs checks against an environment. The zero value with an Env is
// ready to use.
type Runner struct {
	Env Env
	// OnStart and OnResult, when set, are called around every check (the CLI
	// drives its status lines with them).
	OnStart  func(Spec)
	OnResult func(Result)
}

// attempt is what one probe of a check saw.
type attempt struct {
	pass     bool
	observed string
	expected string
	// message says why the attempt did not pass.
	message string
}

// prober makes one observation. An error means the check could not observe
// the system at all (an API was unreachable, the spec cannot work); wrap it
// with permanent() when retrying cannot help.
type prober interface {
	probe(ctx context.Context) (attempt, error)
}

// attemptLimiter is implemented by probers whose statistics assume a bounded
// number of attempts (split).
type attemptLimiter interface{ maxAttempts() int }

// Run runs the checks in order and returns the report. It never returns
// early: after a cancellation the remaining checks are reported as
// interrupted errors so the report stays complete.
func (r Runner) Run(ctx context.Context, specs []Spec) Report {
	start := time.Now()
	rep := Report{Results: make([]Result, 0, len(specs))}
	for _, s := range specs {
		if r.OnStart != nil {
			r.OnStart(s)
		}
		res := r.runOne(ctx, s)
		if r.OnResult != nil {
			r.OnResult(res)
		}
		rep.Results = append(rep.Results, res)
	}
	rep.finish(time.Since(start))
	return rep
}

// RunOne runs a single check.
func (r Runner) RunOne(ctx context.Context, s Spec) Result { return r.runOne(ctx, s) }

func (r Runner) runOne(ctx context.Context, s Spec) Result {
	start := time.Now()
	res := Result{Name: s.Name, Type: s.Type(), Hint: s.Hint}
	done := func(st Status) Result {
		res.Status = st
		res.Duration = time.Since(start)
		res.Seconds = res.Duration.Seconds()
		return res.Redacted()
	}
	if err := s.Validate(); err != nil {
		res.Message = err.Error()
		return done(StatusError)
	}
	if ctx.Err() != nil {
		res.Message = Interrupted
		return done(StatusError)
	}
	if r.Env.Simulated && s.NeedsDataPlane() {
		res.Reason = SkipSimulated
		return done(StatusSkipped)
	}
	p, err := newProber(&s, &r.Env)
	if err != nil {
		res.Message = err.Error()
		return done(StatusError)
	}
	if c, ok := p.(interface{ close() }); ok {
		defer c.close()
	}
	timeout, interval, successes := s.settings()
	limit := 0
	if l, ok := p.(attemptLimiter); ok {
		limit = l.maxAttempts()
	}
	st := poll(ctx, p, timeout, interval, successes, limit, &res)
	return done(st)
}

// poll probes until successes consecutive passes, the attempt limit, the
// timeout or cancellation, recording the last observation in res.
func poll(ctx context.Context, p prober, timeout, interval time.Duration, successes, limit int, res *Result) Status {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	var lastErr error
	streak := 0
	for {
		res.Attempts++
		a, err := p.probe(cctx)
		switch {
		case ctx.Err() != nil:
			res.Message = Interrupted
			return StatusError
		case err != nil && res.Attempts > 1 && cutShort(cctx, err):
			// The timeout cut this attempt short: the previous observation
			// stands.
			res.Attempts--
			if cctx.Err() != nil {
				return final(res, lastErr, streak, successes, timeout)
			}
		case err != nil:
			lastErr, streak = err, 0
			res.Message = err.Error()
			if isPermanent(err) {
				return StatusError
			}
		default:
			lastErr = nil
			res.Observed, res.Expected = a.observed, a.expected
			if a.pass {
				streak++
				res.Message = ""
				if streak >= successes {
					return StatusPass
				}
			} else {
				streak = 0
				res.Message = a.message
			}
		}
		if limit > 0 && res.Attempts >= limit {
			return final(res, lastErr, streak, successes, 0)
		}
		select {
		case <-cctx.Done():
			if ctx.Err() != nil {
				res.Message = Interrupted
				return StatusError
			}
			return final(res, lastErr, streak, successes, timeout)
		case <-ticker.C:
		}
	}
}

// cutShort reports whether err only says that the check's deadline ended
// the attempt: a context error, or client-go's rate limiter refusing to wait
// past the deadline.
func cutShort(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	_, hasDeadline := ctx.Deadline()
	return hasDeadline && strings.Contains(err.Error(), "would exceed context deadline")
}

// final builds the failure message once polling gave up.
func final(res *Result, lastErr error, streak, successes int, timeout time.Duration) Status {
	when := fmt.Sprintf("after %d attempt(s)", res.Attempts)
	if timeout > 0 {
		when = fmt.Sprintf("after %d attempt(s) in %s", res.Attempts, timeout)
	}
	if streak > 0 {
		res.Message = fmt.Sprintf("passed only %d of %d required consecutive times %s", streak, successes, when)
		return StatusFail
	}
	if res.Message == "" {
		res.Message = "no attempt completed"
	}
	res.Message = fmt.Sprintf("%s (%s)", res.Message, when)
	if lastErr != nil {
		if errors.Is(lastErr, context.DeadlineExceeded) && res.Attempts == 1 {
			res.Message = fmt.Sprintf("the first attempt did not finish within the timeout %s: %v", timeout, lastErr)
		}
		return StatusError
	}
	return StatusFail
}

// newProber builds the prober for the spec's check type.
func newProber(s *Spec, env *Env) (prober, error) {
	switch {
	case s.Pods != nil:
		return newPodsProber(s.Pods, env)
	case s.Resource != nil:
		return newResourceProber(s.Resource, env)
	case s.HTTP != nil:
		return newHTTPProber(s.HTTP, env)
	case s.Split != nil:
		return newSplitProber(s.Split, env)
	case s.PromQL != nil:
		return newPromQLProber(s.PromQL, env)
	case s.Kiali != nil:
		return newKialiProber(s.Kiali, env)
	case s.Trace != nil:
		return newTraceProber(s.Trace, env)
	case s.Exec != nil:
		return newExecProber(s.Exec, env)
	}
	return nil, errors.New("no check type set")
}
