package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	"github.com/labctl/labctl/internal/redact"
)

// Snapshot is the progress of a run so far, for live display.
type Snapshot struct {
	Elapsed      time.Duration
	Requests     int64 // completed
	Errors       int64 // responses other than 2xx, including socket errors
	Rate         float64
	IntervalRate float64
	TargetRPS    float64 // 0 = max
	Planned      int64   // requests planned when known, else 0
	Duration     time.Duration
	P50, P99     time.Duration
	InFlight     int64
}

// Run sends the traffic described by o and returns what was measured. When
// ctx is cancelled it stops sending, waits at most o.StopGrace for requests in
// flight and returns the partial result (Result.Labctl.Interrupted) with a nil
// error. Errors are returned only when the run could not start.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.normalize(); err != nil {
		return nil, err
	}
	silenceFortio()
	if err := preflight(ctx, &o); err != nil {
		return nil, err
	}
	workers := make([]*worker, o.Concurrency)
	for i := range workers {
		f, err := newFetcher(&o, i, o.Classifier != nil)
		if err != nil {
			for _, w := range workers[:i] {
				w.f.close()
			}
			return nil, err
		}
		workers[i] = &worker{f: f, cur: newTally(), spare: newTally()}
	}

	s := &schedule{limit: o.Requests, timeout: o.Timeout}
	if o.RPS > 0 {
		s.perReq = float64(time.Second) / o.RPS
		s.lateAfter = o.lateAfter()
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := newCollector(&o, s)
	s.start = c.start
	if o.Requests == 0 {
		s.end = c.start.Add(o.Duration)
	}
	var p *pacer // fixed rate: slots come from one dispatcher, one sender at a time
	var slots chan time.Time
	if s.perReq == 0 {
		defer requestBatch()() // max rate: throughput over wake-up speed
	}
	if s.perReq > 0 {
		defer requestShortSlice()() // fixed rate: wake-up speed first
		p = newPacer(runCtx, time.Duration(s.perReq))
		slots = make(chan time.Time)
		go s.dispatch(runCtx, p, slots)
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.run(runCtx, s, p, slots, o.Classifier) })
	}
	allDone := make(chan struct{})
	go func() {
		wg.Wait()
		if p != nil {
			p.close() // no worker sleeps on it any more
		}
		close(allDone)
	}()

	ticker := time.NewTicker(o.Interval)
	defer ticker.Stop()
	var end time.Time
	interrupted := false
	finished := (<-chan struct{})(allDone)
	var durationOver <-chan time.Time // a run for a duration lasts it even when the schedule ends early
loop:
	for {
		select {
		case now := <-ticker.C:
			c.tick(workers, now, false)
		case <-finished:
			if left := time.Until(s.end); !s.end.IsZero() && left > 0 {
				finished, durationOver = nil, time.After(left)
				continue
			}
			end = time.Now()
			break loop
		case <-durationOver:
			end = time.Now()
			break loop
		case <-ctx.Done():
			end = time.Now()
			interrupted = true
			grace := time.NewTimer(o.StopGrace)
			select {
			case <-allDone:
			case <-grace.C:
			}
			grace.Stop()
			break loop
		}
	}
	inFlight := busy(workers)
	c.tick(workers, end, true)
	return c.result(&o, workers, end, interrupted, inFlight), nil
}

// preflight connects once to the target so that a wrong URL or a stopped app
// fails fast with the reason instead of a run full of socket errors.
func preflight(ctx context.Context, o *Options) error {
	addr, err := dialAddr(o.URL)
	if err != nil {
		return err
	}
	d := net.Dialer{Timeout: min(o.Timeout, 5*time.Second)}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("load %s: %w", redact.URL(o.URL), ctx.Err())
		}
		return fmt.Errorf("cannot connect to %s for %s: %w; check that the app is running and the URL and port are right",
			addr, redact.URL(o.URL), unwrapOp(err))
	}
	return conn.Close()
}

func dialAddr(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("target URL %q: %w", redact.URL(raw), err)
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}

// unwrapOp shortens "dial tcp 127.0.0.1:1: connect: connection refused" to
// its syscall part when there is one.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// probeError describes why connections fail, for the report.
func probeError(raw string, timeout time.Duration) string {
	addr, err := dialAddr(raw)
	if err != nil {
		return err.Error()
	}
	conn, err := net.DialTimeout("tcp", addr, min(timeout, 2*time.Second))
	if err != nil {
		return fmt.Sprintf("connect %s: %v", addr, unwrapOp(err))
	}
	_ = conn.Close()
	return fmt.Sprintf("connections to %s were reset or closed before a complete response", addr)
}
