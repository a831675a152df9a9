package loadgen

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// Bounds of the lead by which the worker holding the next slot of a
// fixed-rate run wakes before the slot's send time. A sleeping thread wakes
// some tens of microseconds after its timer fires (more on a virtual
// machine whose CPU was idle), so that happens during the lead and the
// worker spins the rest. The lead follows how late the wake-ups have been,
// within these bounds, so a machine that wakes fast spins little; the upper
// bound caps the spinning.
const (
	minLead     = 10 * time.Microsecond
	maxLead     = 200 * time.Microsecond
	initialLead = 100 * time.Microsecond
	// leadMargin is what the lead keeps between the latest wake-ups seen
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

// pacer times the slots of a fixed-rate run. One worker at a time holds
// the turn: it sleeps until shortly before its slot's send time, spins the
// rest, and passes the turn on as it sends, so the dispatcher can hand the
// next slot to an idle worker while this one's request is on the wire.
// The sleeper is used by the holder of the turn only.
type pacer struct {
	s       sleeper
	turn    chan struct{} // holds a token while no worker holds the turn
	lead    atomic.Int64  // ns
	maxLead time.Duration
}

// newPacer paces slots perReq apart. The lead is at most a quarter of that,
// so spinning takes at most a quarter of a CPU at any rate.
func newPacer(ctx context.Context, perReq time.Duration) *pacer {
	p := &pacer{s: newSleeper(ctx), turn: make(chan struct{}, 1), maxLead: min(maxLead, perReq/spinShare)}
	p.turn <- struct{}{}
	p.lead.Store(int64(min(initialLead, p.maxLead)))
	return p
}

// awaitTurn returns when the worker holding the previous slot has sent its
// request, or false when ctx is done first.
func (p *pacer) awaitTurn(ctx context.Context) bool {
	select {
	case <-p.turn:
		return true
	case <-ctx.Done():
		return false
	}
}

// sendAt is called by the worker that got the slot sending at t: it sleeps
// until the lead before t, spins until t and passes the turn on. It returns
// false, keeping the turn, when ctx is done first.
func (p *pacer) sendAt(ctx context.Context, t time.Time) bool {
	if !p.s.sleepUntil(ctx, t.Add(-time.Duration(p.lead.Load()))) {
		return false
	}
	p.lead.Store(int64(nextLead(time.Duration(p.lead.Load()), time.Until(t), p.maxLead)))
	// At most maxLead of spinning; Gosched lets the other goroutines of
	// this process run meanwhile.
	for time.Now().Before(t) {
		runtime.Gosched()
	}
	p.turn <- struct{}{} // never blocks: the token is back only from here
	return true
}

// nextLead moves the lead towards how late a wake-up came (early is the
// time that was left until the send time when the worker woke): up at once
// to cover it with leadMargin to spare, down slowly, so the lead is a
// decaying maximum over the last few hundred slots.
func nextLead(lead, early, limit time.Duration) time.Duration {
	next := max(lead-lead/64, lead-early+leadMargin)
	return min(max(next, minLead), limit)
}

// close releases the sleeper once no worker can use it any more.
func (p *pacer) close() { p.s.close() }
