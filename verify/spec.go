package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Default retry settings. A check that sets none of them polls every
// DefaultInterval for up to DefaultTimeout and passes on its first success.
const (
	DefaultTimeout   = 2 * time.Minute
	DefaultInterval  = 2 * time.Second
	DefaultSuccesses = 1
)

// Bounds of the retry settings, so a check cannot flood its target (an
// interval of 1ns sent tens of thousands of requests a second), wait for
// ever, or demand an endless streak of passes.
const (
	// MinInterval is the shortest pause between attempts.
	MinInterval = 100 * time.Millisecond
	// MaxTimeout is the longest timeout a check may set.
	MaxTimeout = 30 * time.Minute
	// MaxSuccesses is the most consecutive passes a check may require.
	MaxSuccesses = 100
)

// Spec is one check: retry settings plus exactly one check type. The labs
// engine embeds []Spec in lab steps; CheckSet files hold them too.
type Spec struct {
	// Name identifies the check in reports; unique within a set.
	Name string `json:"name"`
	// Timeout bounds the whole check, all attempts included (default 2m;
	// the split check derives its own from its sample size).
	Timeout Duration `json:"timeout,omitempty"`
	// Interval is the pause between attempts (default 2s).
	Interval Duration `json:"interval,omitempty"`
	// Successes is how many consecutive passing attempts are needed (default 1).
	Successes int `json:"successes,omitempty"`
	// Hint is shown to the learner when the check fails.
	Hint string `json:"hint,omitempty"`

	Pods     *PodsSpec     `json:"pods,omitempty"`
	Resource *ResourceSpec `json:"resource,omitempty"`
	HTTP     *HTTPSpec     `json:"http,omitempty"`
	Split    *SplitSpec    `json:"split,omitempty"`
	PromQL   *PromQLSpec   `json:"promql,omitempty"`
	Kiali    *KialiSpec    `json:"kiali,omitempty"`
	Trace    *TraceSpec    `json:"trace,omitempty"`
	Exec     *ExecSpec     `json:"exec,omitempty"`
}

// Check type names, as written in check-set files and reports.
const (
	TypePods     = "pods"
	TypeResource = "resource"
	TypeHTTP     = "http"
	TypeSplit    = "split"
	TypePromQL   = "promql"
	TypeKiali    = "kiali"
	TypeTrace    = "trace"
	TypeExec     = "exec"
)

// Type returns the name of the check type that is set, or "" when none or
// several are set (Validate reports those).
func (s *Spec) Type() string {
	set := s.types()
	if len(set) != 1 {
		return ""
	}
	return set[0]
}

func (s *Spec) types() []string {
	var set []string
	add := func(ok bool, name string) {
		if ok {
			set = append(set, name)
		}
	}
	add(s.Pods != nil, TypePods)
	add(s.Resource != nil, TypeResource)
	add(s.HTTP != nil, TypeHTTP)
	add(s.Split != nil, TypeSplit)
	add(s.PromQL != nil, TypePromQL)
	add(s.Kiali != nil, TypeKiali)
	add(s.Trace != nil, TypeTrace)
	add(s.Exec != nil, TypeExec)
	return set
}

// NeedsDataPlane reports whether the check needs traffic to flow, so it
// cannot run on a simulated cluster.
func (s *Spec) NeedsDataPlane() bool {
	switch s.Type() {
	case TypePods, TypeResource:
		return false
	}
	return true
}

// Validate checks the retry settings and the check type's fields. The error
// names the check and the field.
func (s *Spec) Validate() error {
	name := s.Name
	if strings.TrimSpace(name) == "" {
		return errors.New("check has no name: give every check a unique `name`")
	}
	switch set := s.types(); len(set) {
	case 0:
		return fmt.Errorf("check %q: no check type; set exactly one of pods, resource, http, split, promql, kiali, trace, exec", name)
	case 1:
	default:
		return fmt.Errorf("check %q: several check types (%s); set exactly one per check", name, strings.Join(set, ", "))
	}
	if err := s.validateRetry(); err != nil {
		return fmt.Errorf("check %q: %w", name, err)
	}
	var err error
	switch {
	case s.Pods != nil:
		err = s.Pods.validate()
	case s.Resource != nil:
		err = s.Resource.validate()
	case s.HTTP != nil:
		err = s.HTTP.validate()
	case s.Split != nil:
		err = s.Split.validate()
	case s.PromQL != nil:
		err = s.PromQL.validate()
	case s.Kiali != nil:
		err = s.Kiali.validate()
	case s.Trace != nil:
		err = s.Trace.validate()
	case s.Exec != nil:
		err = s.Exec.validate()
	}
	if err != nil {
		return fmt.Errorf("check %q: %s: %w", name, s.Type(), err)
	}
	return nil
}

// validateRetry bounds timeout, interval and successes; the error is a
// *FieldError naming the field.
func (s *Spec) validateRetry() error {
	bad := func(field, format string, args ...any) error {
		return &FieldError{Field: field, Err: fmt.Errorf(field+": "+format, args...)}
	}
	switch t := s.Timeout.Duration; {
	case t < 0:
		return bad("timeout", "%s is negative: give a duration such as 30s (or leave it out for %s)", s.Timeout, DefaultTimeout)
	case t > MaxTimeout:
		return bad("timeout", "%s is longer than the maximum %s: split the check, or wait for the condition in a step of its own", s.Timeout, MaxTimeout)
	}
	if i := s.Interval.Duration; i != 0 && i < MinInterval {
		return bad("interval", "%s is shorter than the minimum %s (it would flood the target)", s.Interval, MinInterval)
	}
	switch {
	case s.Successes < 0:
		return bad("successes", "must be at least 1 (or left out for the default 1)")
	case s.Successes > MaxSuccesses:
		return bad("successes", "%d is more than the maximum %d consecutive passes", s.Successes, MaxSuccesses)
	}
	if s.Timeout.Duration > 0 && s.Interval.Duration > s.Timeout.Duration {
		return bad("interval", "%s is longer than timeout %s", s.Interval, s.Timeout)
	}
	return nil
}

// settings returns the effective retry settings.
func (s *Spec) settings() (timeout, interval time.Duration, successes int) {
	timeout, interval, successes = s.Timeout.Duration, s.Interval.Duration, s.Successes
	if timeout == 0 {
		timeout = DefaultTimeout
		if s.Split != nil {
			timeout = s.Split.defaultTimeout()
		}
	}
	if interval == 0 {
		interval = min(DefaultInterval, timeout)
	}
	if successes == 0 {
		successes = DefaultSuccesses
	}
	return timeout, interval, successes
}

// Duration is a time.Duration written as a Go duration string ("90s", "2m").
type Duration struct{ time.Duration }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string such as "500ms" or "2m".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"30s\" or \"2m\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w (use units such as ms, s, m)", s, err)
	}
	d.Duration = v
	return nil
}

// String prints the duration, "0s" when unset.
func (d Duration) String() string { return d.Duration.String() }
