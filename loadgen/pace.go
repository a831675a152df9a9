package loadgen

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// Bounds of the lead by which the dispatcher of a fixed-rate run hands a
// slot to a worker before the slot's send time. A sleeping thread wakes some
// tens of microseconds after its timer fires (more on a virtual machine
// whose CPU was idle), and waking the worker costs as much again, so both
// happen during the lead and the worker spins the rest. The lead follows
// how early workers have been getting their slots, within these bounds, so a
// machine that wakes fast spins little; the upper bound caps the spinning.
const (
	minLead     = 10 * time.Microsecond
	maxLead     = 200 * time.Microsecond
	initialLead = 100 * time.Microsecond
	// leadMargin is what the lead keeps between the latest hand-overs seen
	// and the send time.
	leadMargin = 10 * time.Microsecond
	// spinShare: the lead is at most 1/spinShare of the time between slots.
	spinShare = 4
)

// sleeper sleeps until t: a timerfd on Linux, a Go timer elsewhere. It
// returns false when ctx is done first.
type sleeper interface {
	sleepUntil(ctx context.Context, t time.Time) bool
	close()
}

// pacer times the slots of a fixed-rate run: the dispatcher sleeps until a
// slot's hand-over time, the worker that takes the slot reports how early
// it got it and spins until the send time.
type pacer struct {
	s       sleeper
	lead    atomic.Int64 // ns
	maxLead time.Duration
}

// newPacer paces slots perReq apart. The lead is at most a quarter of that,
// so spinning takes at most a quarter of a CPU at any rate.
func newPacer(ctx context.Context, perReq time.Duration) *pacer {
	p := &pacer{s: newSleeper(ctx), maxLead: min(maxLead, perReq/spinShare)}
	p.lead.Store(int64(min(initialLead, p.maxLead)))
	return p
}

// waitHandOver returns when the slot sending at t is to be handed to a
// worker, or false when ctx is done first.
func (p *pacer) waitHandOver(ctx context.Context, t time.Time) bool {
	at := t.Add(-time.Duration(p.lead.Load()))
	if time.Until(at) <= 0 {
		return ctx.Err() == nil
	}
	return p.s.sleepUntil(ctx, at)
}

// taken is called by the worker that got the slot sending at t; it spins
// until t.
func (p *pacer) taken(t time.Time) {
	p.lead.Store(int64(nextLead(time.Duration(p.lead.Load()), time.Until(t), p.maxLead)))
	// At most maxLead of spinning; Gosched lets the other goroutines of
	// this process run meanwhile.
	for time.Now().Before(t) {
		runtime.Gosched()
	}
}

// nextLead moves the lead towards how late a hand-over came (early is the
// time that was left until the send time when the worker got the slot): up
// at once to cover it with leadMargin to spare, down slowly, so the lead is
// a decaying maximum over the last few hundred slots.
func nextLead(lead, early, limit time.Duration) time.Duration {
	next := max(lead-lead/64, lead-early+leadMargin)
	return min(max(next, minLead), limit)
}

func (p *pacer) close() { p.s.close() }
