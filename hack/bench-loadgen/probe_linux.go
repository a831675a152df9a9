package main

import (
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// probeWakes sleeps with clock_nanosleep to absolute CLOCK_MONOTONIC times
// interval apart until stop is set, and returns how late each wake-up came.
// The call is raw, so that only the kernel's wake-up is measured: Go's
// scheduler neither hands the thread's P away nor has to give it back.
// A wake-up that overran the next time skips it, so one long stall counts
// once, as a sleeping thread would see it.
func probeWakes(stop *atomic.Bool, interval time.Duration) ([]time.Duration, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// No timer slack (50µs by default for clock_nanosleep), as for the
	// timerfd labctl sleeps on: the probe measures the wake-up alone.
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0); err != nil {
		return nil, err
	}
	// Go's monotonic clock is CLOCK_MONOTONIC too: the two differ by a
	// constant, so lateness is read from time.Since without a system call.
	// start is read first, so that the error of the pairing (the time
	// between the two reads) can only make wake-ups look later.
	start := time.Now()
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return nil, err
	}
	base := ts.Nano()
	var samples []time.Duration
	for k := int64(1); len(samples) == 0 || !stop.Load(); k++ { // at least one wake-up
		target := time.Duration(k) * interval
		ts = unix.NsecToTimespec(base + int64(target))
		for {
			_, _, e := unix.RawSyscall6(unix.SYS_CLOCK_NANOSLEEP, unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME,
				uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
			if e == 0 {
				break
			}
			if e != unix.EINTR {
				return nil, e
			}
		}
		now := time.Since(start)
		samples = append(samples, now-target)
		if skip := int64((now - target) / interval); skip > 0 {
			k += skip
		}
		runtime.Gosched() // let the stdin reader run, and show sysmon progress
	}
	return samples, nil
}
