package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
	"time"
)

// The spin floor tells how late even a sender that never sleeps would be
// on this machine. While fortio drives a fixed-rate scenario's rate, a
// process of its own (this binary with spinArg) spins on the clock without
// sleeping and, for every slot of that rate, records how long after the
// slot's time it first saw the clock past it. Nothing a generator does can
// beat that: a spinning thread loses time only when the machine takes its
// CPU away (the kernel for other threads and interrupts, the hypervisor for
// other guests). It costs a whole CPU, so it runs in a run of its own, not
// beside the tools' runs.
const spinArg = "-spin-probe"

// spinSlots spins until stop is set and returns, for each slot interval
// apart from start, how late after the slot's time the clock was first
// seen past it. A stall covering several slots makes each of them late by
// the rest of the stall, as for a sender catching up. Every slot up to the
// clock's last reading, taken after stop was seen, is counted, and at least
// one.
func spinSlots(stop *atomic.Bool, start time.Time, interval time.Duration) []time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	next := interval
	var late []time.Duration
	for i := 0; ; i++ {
		// An atomic load costs about as much as a clock read; checking
		// every 64 reads keeps the loop at the clock.
		last := i%64 == 0 && stop.Load()
		now := time.Since(start)
		for ; now >= next; next += interval {
			late = append(late, now-next)
		}
		if last && len(late) > 0 { // at least one slot
			return late
		}
	}
}

// spinMain is the spin probe process: it spins at the interval given as
// its argument until its stdin closes, then prints its wakeStats as JSON.
func spinMain(arg string) error {
	interval, err := time.ParseDuration(arg)
	if err != nil || interval <= 0 {
		return fmt.Errorf("%s %q: want a positive duration", spinArg, arg)
	}
	var stop atomic.Bool
	go stopOnEOF(&stop)
	return json.NewEncoder(os.Stdout).Encode(wakeStatsOf(spinSlots(&stop, time.Now(), interval)))
}

// spinFloor runs fortio at rate with the spin probe beside it and returns
// how late the probe's slots were.
func spinFloor(ctx context.Context, c config, url string, rate int) (wakeStats, error) {
	if len(c.fortio) == 0 {
		return wakeStats{}, errors.New("needs fortio to drive the rate: not installed")
	}
	interval := time.Second / time.Duration(rate)
	p, err := startProbe(ctx, "spin probe", c.self, spinArg, interval.String())
	if err != nil {
		return wakeStats{}, err
	}
	m := runFortio(ctx, c, c.fortio, url, rate)
	w, err := p.stop()
	if err == nil && m.err != nil {
		err = fmt.Errorf("fortio driving the rate: %w", m.err)
	}
	return w, err
}

// medianFloor picks the floor run with the median p99 (errors last).
func medianFloor(runs []floorRun) floorRun {
	var ok []floorRun
	for _, r := range runs {
		if r.err == nil {
			ok = append(ok, r)
		}
	}
	if len(ok) == 0 {
		if len(runs) == 0 {
			return floorRun{err: errors.New("not run")}
		}
		return runs[0]
	}
	slices.SortFunc(ok, func(a, b floorRun) int { return cmp.Compare(a.P99, b.P99) })
	return ok[len(ok)/2]
}

// floorRun is one spin floor run.
type floorRun struct {
	wakeStats
	err error
}
