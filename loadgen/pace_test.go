package loadgen

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNextLead(t *testing.T) {
	us := time.Microsecond
	tests := []struct {
		name               string
		lead, early, limit time.Duration
		want               time.Duration
	}{
		{"early enough: decays by 1/64", 64 * us, 50 * us, maxLead, 63 * us},
		{"late hand-over: up to cover it with the margin", 50 * us, -30 * us, maxLead, 90 * us},
		{"barely early: covers the shortfall", 50 * us, 5 * us, maxLead, 55 * us},
		{"never above the limit", 150 * us, -500 * us, 120 * us, 120 * us},
		{"never below the floor", minLead, minLead, maxLead, minLead},
		{"a limit under the floor wins (very high rates)", 5 * us, 0, 4 * us, 4 * us},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, nextLead(tt.lead, tt.early, tt.limit))
		})
	}
}

func TestNewPacerBoundsTheLead(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		perReq, wantMax time.Duration
	}{
		{time.Millisecond, maxLead},                     // 1,000/s: the fixed cap
		{100 * time.Microsecond, 25 * time.Microsecond}, // 10,000/s: a quarter of the gap
	} {
		p := newPacer(ctx, tt.perReq)
		assert.Equal(t, tt.wantMax, p.maxLead, "perReq %s", tt.perReq)
		assert.LessOrEqual(t, time.Duration(p.lead.Load()), p.maxLead)
		p.close()
	}
}

// The dispatcher hands every slot over, in order, and closes the channel
// when the request count is used up; the worker that gets a slot leaves
// no earlier than its time.
func TestDispatchHandsSlotsInOrder(t *testing.T) {
	ctx := context.Background()
	start := time.Now().Add(5 * time.Millisecond)
	s := &schedule{start: start, perReq: float64(time.Millisecond), limit: 5}
	p := newPacer(ctx, time.Millisecond)
	defer p.close()
	slots := make(chan time.Time)
	go s.dispatch(ctx, p, slots)
	var got []time.Duration
	for intended := range slots {
		got = append(got, intended.Sub(start))
		require.True(t, p.sendAt(ctx, intended))
		assert.False(t, time.Now().Before(intended), "sent before its time")
	}
	assert.Equal(t, []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, 4 * time.Millisecond}, got)
}

// Until the worker holding a slot sends it, no other worker gets one: one
// sleeper serves them all.
func TestDispatchWaitsForTheTurn(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &schedule{start: time.Now(), perReq: float64(time.Microsecond)}
	p := newPacer(ctx, time.Microsecond)
	defer p.close()
	slots := make(chan time.Time)
	go s.dispatch(ctx, p, slots)
	first := <-slots
	assert.Never(t, func() bool {
		select {
		case <-slots:
			return true
		default:
			return false
		}
	}, 20*time.Millisecond, time.Millisecond, "a second slot went out while the first was held")
	require.True(t, p.sendAt(ctx, first))
	assert.Equal(t, first.Add(time.Microsecond), <-slots)
}

// Cancelling the run wakes the worker sleeping for a slot an hour ahead and
// stops the dispatcher.
func TestDispatchStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &schedule{start: time.Now().Add(time.Hour), perReq: float64(time.Second)}
	p := newPacer(ctx, time.Second)
	defer p.close()
	slots := make(chan time.Time)
	go s.dispatch(ctx, p, slots)
	slot := <-slots
	sent := make(chan bool)
	go func() { sent <- p.sendAt(ctx, slot) }()
	cancel()
	select {
	case ok := <-sent:
		assert.False(t, ok, "a cancelled slot is not sent")
	case <-time.After(time.Minute):
		t.Fatal("worker still sleeping an hour ahead after cancel")
	}
	_, open := <-slots
	assert.False(t, open, "no slot is handed over after cancel")
}

// The sleeper of this platform (a timerfd on Linux) returns true once its
// time has come, never before, and false as soon as its run is cancelled.
func TestSleeperWakesAtItsTimeOrOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := newSleeper(ctx)
	defer s.close()
	for _, d := range []time.Duration{-time.Millisecond, 0, 50 * time.Microsecond, 2 * time.Millisecond} {
		at := time.Now().Add(d)
		require.True(t, s.sleepUntil(ctx, at), "sleep %s", d)
		assert.False(t, time.Now().Before(at), "woke before its time (sleep %s)", d)
	}
	time.AfterFunc(10*time.Millisecond, cancel)
	assert.False(t, s.sleepUntil(ctx, time.Now().Add(time.Hour)), "a cancelled sleep reports false")
}
