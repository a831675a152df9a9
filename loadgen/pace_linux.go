package loadgen

import (
	"context"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// timerfdSleeper sleeps on a timerfd waited on through the runtime's
// network poller. Go's own timers wake through epoll_wait, whose timeout
// has millisecond granularity, so they would leave up to a millisecond
// late; a timerfd fires within microseconds and costs no thread of its own.
type timerfdSleeper struct {
	fd   int
	f    *os.File
	buf  [8]byte
	stop func() bool
}

func newSleeper(ctx context.Context) sleeper {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return newTimerSleeper()
	}
	s := &timerfdSleeper{fd: fd, f: os.NewFile(uintptr(fd), "timerfd")}
	// Cancelling the run wakes a waiting dispatcher at once.
	s.stop = context.AfterFunc(ctx, func() { _ = s.f.SetReadDeadline(time.Unix(1, 0)) })
	return s
}

func (s *timerfdSleeper) sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if err := unix.TimerfdSettime(s.fd, 0, &spec, nil); err != nil {
		return newTimerSleeper().sleepUntil(ctx, t)
	}
	if _, err := s.f.Read(s.buf[:]); err != nil {
		return false // deadline set by cancellation
	}
	return ctx.Err() == nil
}

func (s *timerfdSleeper) close() {
	s.stop()
	_ = s.f.Close()
}
