package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// The wake probe tells how late this machine wakes a sleeping thread while a
// tool runs: a process of its own (this binary with probeArg) sleeps to
// absolute times probeInterval apart and records how late each wake-up
// comes. No generator can send on time more reliably than the machine wakes
// its threads, so the probe's p99 next to labctl's send lateness says how
// much of that lateness is the machine's. It adds one wake-up per
// millisecond, a tenth of the 10,000 req/s scenario's.
const (
	probeArg      = "-wake-probe"
	probeInterval = time.Millisecond
)

// wakeStats is how late the probe woke during one run.
type wakeStats struct {
	N             int
	P50, P99, Max time.Duration
}

// wakeStatsOf summarises wake lateness samples (ns).
func wakeStatsOf(samples []time.Duration) wakeStats {
	if len(samples) == 0 {
		return wakeStats{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	at := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return wakeStats{N: len(s), P50: at(0.50), P99: at(0.99), Max: s[len(s)-1]}
}

// probeDispatch runs the probe process args ask for (the arguments after
// the program name): handled is false when they ask for none, and the
// caller goes on as the bench (or as the test binary).
func probeDispatch(args []string) (handled bool, err error) {
	switch {
	case len(args) == 1 && args[0] == probeArg:
		return true, probeMain()
	case len(args) == 2 && args[0] == spinArg:
		return true, spinMain(args[1])
	}
	return false, nil
}

// probeMain is the probe process: it sleeps and records until its stdin
// closes, then prints its wakeStats as JSON.
func probeMain() error {
	var stop atomic.Bool
	go stopOnEOF(&stop)
	samples, err := probeWakes(&stop, probeInterval)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(wakeStatsOf(samples))
}

// stopOnEOF sets stop once stdin closes: how the bench ends a probe.
func stopOnEOF(stop *atomic.Bool) {
	_, _ = io.Copy(io.Discard, os.Stdin)
	stop.Store(true)
}

// probe is a running probe process (the wake probe or the spin probe).
type probe struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   strings.Builder
	errs  strings.Builder
}

// startProbe starts a probe process, this binary with args; stop ends it
// and reads its result.
func startProbe(ctx context.Context, name, self string, args ...string) (*probe, error) {
	p := &probe{name: name, cmd: exec.CommandContext(ctx, self, args...)}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errs
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

func (p *probe) stop() (wakeStats, error) {
	_ = p.stdin.Close()
	if err := p.cmd.Wait(); err != nil {
		return wakeStats{}, fmt.Errorf("%s: %w: %s", p.name, err, strings.TrimSpace(p.errs.String()))
	}
	var w wakeStats
	if err := json.Unmarshal([]byte(p.out.String()), &w); err != nil {
		return wakeStats{}, fmt.Errorf("%s output %q: %w", p.name, p.out.String(), err)
	}
	if w.N == 0 {
		return w, fmt.Errorf("%s: nothing recorded", p.name)
	}
	return w, nil
}
