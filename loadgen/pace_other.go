//go:build !linux

package loadgen

import (
	"context"
	"time"
)

// pacer makes one worker wait for a request's intended send time.
type pacer struct{ tmr *timerPacer }

func newPacer(context.Context) *pacer { return &pacer{tmr: newTimerPacer()} }

func (p *pacer) wait(ctx context.Context, t time.Time) bool { return p.tmr.wait(ctx, t) }

func (p *pacer) close() {}
