package verify

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ExecSpec runs a command in a pod through the API and checks its exit code
// and output (stdout and stderr together), e.g. curl from a pod outside the
// mesh proving that STRICT mTLS rejects it.
type ExecSpec struct {
	PodRef
	Command []string `json:"command"`
	// ExitCode wanted (default 0); NonZeroExit wants any failure instead.
	ExitCode    *int `json:"exitCode,omitempty"`
	NonZeroExit bool `json:"nonZeroExit,omitempty"`
	// OutputContains must all appear, OutputNotContains must not;
	// OutputRegex must match.
	OutputContains    []string `json:"outputContains,omitempty"`
	OutputNotContains []string `json:"outputNotContains,omitempty"`
	OutputRegex       string   `json:"outputRegex,omitempty"`
}

func (e *ExecSpec) validate() error {
	if err := e.PodRef.validate(); err != nil {
		return err
	}
	if len(e.Command) == 0 {
		return errors.New("command is required, as a list: [curl, -s, http://...]")
	}
	if e.ExitCode != nil && e.NonZeroExit {
		return errors.New("set exitCode or nonZeroExit, not both")
	}
	if _, err := regexp.Compile(e.OutputRegex); err != nil {
		return fmt.Errorf("outputRegex: %w", err)
	}
	return nil
}

type execProber struct {
	spec *ExecSpec
	env  *Env
	re   *regexp.Regexp
}

func newExecProber(e *ExecSpec, env *Env) (prober, error) {
	if env.Kube == nil || env.Exec == nil {
		return nil, errMissing("exec into pods", "point labctl at a real cluster (--kubeconfig/--context or --name)")
	}
	p := execProber{spec: e, env: env}
	if e.OutputRegex != "" {
		p.re = regexp.MustCompile(e.OutputRegex)
	}
	return p, nil
}

func (p execProber) expected() string {
	e := p.spec
	parts := []string{"exit code 0"}
	switch {
	case e.NonZeroExit:
		parts[0] = "non-zero exit code"
	case e.ExitCode != nil:
		parts[0] = fmt.Sprintf("exit code %d", *e.ExitCode)
	}
	for _, c := range e.OutputContains {
		parts = append(parts, fmt.Sprintf("output contains %q", c))
	}
	for _, c := range e.OutputNotContains {
		parts = append(parts, fmt.Sprintf("output lacks %q", c))
	}
	if e.OutputRegex != "" {
		parts = append(parts, fmt.Sprintf("output matches /%s/", e.OutputRegex))
	}
	return strings.Join(parts, ", ")
}

func (p execProber) probe(ctx context.Context) (attempt, error) {
	e := p.spec
	pod, err := resolvePod(ctx, p.env.Kube, &e.PodRef)
	if err != nil {
		return attempt{}, err
	}
	res, err := p.env.Exec.Exec(ctx, ExecRequest{Namespace: e.Namespace, Pod: pod, Container: e.Container, Command: e.Command})
	if err != nil {
		return attempt{}, fmt.Errorf("running %q in pod %s/%s: %w", strings.Join(e.Command, " "), e.Namespace, pod, err)
	}
	return p.evaluate(res), nil
}

// evaluate judges one command result.
func (p execProber) evaluate(res ExecResult) attempt {
	e := p.spec
	a := attempt{expected: p.expected()}
	out := res.Stdout + res.Stderr
	a.observed = fmt.Sprintf("exit code %d, output %q", res.ExitCode, truncate(strings.TrimSpace(out), 300))
	var problems []string
	switch {
	case e.NonZeroExit && res.ExitCode == 0:
		problems = append(problems, "the command succeeded (exit code 0) but should have failed")
	case !e.NonZeroExit:
		want := 0
		if e.ExitCode != nil {
			want = *e.ExitCode
		}
		if res.ExitCode != want {
			problems = append(problems, fmt.Sprintf("exit code %d, want %d", res.ExitCode, want))
		}
	}
	for _, c := range e.OutputContains {
		if !strings.Contains(out, c) {
			problems = append(problems, fmt.Sprintf("output does not contain %q", c))
		}
	}
	for _, c := range e.OutputNotContains {
		if strings.Contains(out, c) {
			problems = append(problems, fmt.Sprintf("output contains %q", c))
		}
	}
	if p.re != nil && !p.re.MatchString(out) {
		problems = append(problems, fmt.Sprintf("output does not match /%s/", e.OutputRegex))
	}
	if len(problems) > 0 {
		a.message = strings.Join(problems, "; ")
		return a
	}
	a.pass = true
	return a
}
