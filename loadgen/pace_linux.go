package loadgen

import (
	"context"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// timerfdSleeper sleeps on a timerfd waited on through the runtime's
// network poller. Go's own timers wake through epoll_wait, whose timeout
// has millisecond granularity, so they would leave up to a millisecond
// late; a timerfd fires within microseconds and costs no thread of its own.
// Arming and reading it are raw system calls, for the reason rawIO gives.
type timerfdSleeper struct {
	fd    int
	f     *os.File
	rc    syscall.RawConn
	spec  unix.ItimerSpec
	buf   [8]byte
	errno unix.Errno
	readF func(fd uintptr) bool
	stop  func() bool
}

func newSleeper(ctx context.Context) sleeper {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return newTimerSleeper()
	}
	s := &timerfdSleeper{fd: fd, f: os.NewFile(uintptr(fd), "timerfd")}
	if s.rc, err = s.f.SyscallConn(); err != nil {
		_ = s.f.Close()
		return newTimerSleeper()
	}
	s.readF = func(fd uintptr) bool {
		for {
			_, _, e := unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&s.buf[0])), uintptr(len(s.buf)))
			if e != unix.EINTR {
				s.errno = e
				return e != unix.EAGAIN // false: wait until it fires
			}
		}
	}
	// Cancelling the run wakes a waiting dispatcher at once.
	s.stop = context.AfterFunc(ctx, func() { _ = s.f.SetReadDeadline(time.Unix(1, 0)) })
	return s
}

func (s *timerfdSleeper) sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	s.spec = unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if _, _, e := unix.RawSyscall6(unix.SYS_TIMERFD_SETTIME, uintptr(s.fd), 0, uintptr(unsafe.Pointer(&s.spec)), 0, 0, 0); e != 0 {
		return newTimerSleeper().sleepUntil(ctx, t)
	}
	if err := s.rc.Read(s.readF); err != nil || s.errno != 0 {
		return false // deadline set by cancellation, or the timerfd failed
	}
	return ctx.Err() == nil
}

func (s *timerfdSleeper) close() {
	s.stop()
	_ = s.f.Close()
}
