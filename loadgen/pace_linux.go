package loadgen

import (
	"context"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// pacer makes one worker wait for a request's intended send time. Go's
// timers wake through the network poller's epoll_wait, whose timeout has
// millisecond granularity: a worker would leave up to a millisecond late
// (about 0.6 ms at the median on this kind of machine), which latency
// measured from the intended time then shows as the target's. A timerfd
// waited on through the same poller wakes within microseconds and costs no
// thread of its own.
type pacer struct {
	fd   int
	f    *os.File
	buf  [8]byte
	stop func() bool
	tmr  *timerPacer // when no timerfd could be made
}

func newPacer(ctx context.Context) *pacer {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return &pacer{fd: -1, tmr: newTimerPacer()}
	}
	p := &pacer{fd: fd, f: os.NewFile(uintptr(fd), "timerfd")}
	// Cancelling the run wakes a waiting worker at once.
	p.stop = context.AfterFunc(ctx, func() { _ = p.f.SetReadDeadline(time.Unix(1, 0)) })
	return p
}

// wait returns at t, or false when ctx is done first.
func (p *pacer) wait(ctx context.Context, t time.Time) bool {
	if p.tmr != nil {
		return p.tmr.wait(ctx, t)
	}
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if err := unix.TimerfdSettime(p.fd, 0, &spec, nil); err != nil {
		return newTimerPacer().wait(ctx, t)
	}
	if _, err := p.f.Read(p.buf[:]); err != nil {
		return false // deadline set by cancellation
	}
	return ctx.Err() == nil
}

func (p *pacer) close() {
	if p.f != nil {
		p.stop()
		_ = p.f.Close()
	}
}
