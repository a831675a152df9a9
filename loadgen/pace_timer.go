package loadgen

import (
	"context"
	"time"
)

// timerPacer waits with a Go timer (millisecond-grained wake-ups where the
// runtime polls with epoll or kqueue).
type timerPacer struct{ t *time.Timer }

func newTimerPacer() *timerPacer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &timerPacer{t: t}
}

func (p *timerPacer) wait(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	p.t.Reset(d)
	select {
	case <-ctx.Done():
		p.t.Stop()
		return false
	case <-p.t.C:
		return true
	}
}
