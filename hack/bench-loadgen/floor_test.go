package main

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpinSlotsCountsEverySlot(t *testing.T) {
	const interval = 100 * time.Microsecond
	var stop atomic.Bool
	start := time.Now()
	done := make(chan []time.Duration)
	go func() { done <- spinSlots(&stop, start, interval) }()
	time.Sleep(20 * time.Millisecond) // how long it spins, not a bound on anything
	stopped := time.Since(start)
	stop.Store(true)
	late := <-done
	returned := time.Since(start)
	// One sample per slot up to the clock's last reading, which came after
	// stop and before the return: none skipped, none counted twice,
	// however the thread was descheduled.
	assert.GreaterOrEqual(t, len(late), int(stopped/interval))
	assert.LessOrEqual(t, len(late), int(returned/interval))
	for i, l := range late {
		assert.GreaterOrEqual(t, l, time.Duration(0), "slot %d seen before its time", i)
	}
	// A stop set before it starts still counts the slots that have passed,
	// and waits for one when none has.
	assert.Len(t, spinSlots(&stop, time.Now().Add(-1500*time.Millisecond), time.Second), 1)
	assert.Len(t, spinSlots(&stop, time.Now(), interval), 1)
}

func TestSpinMainRejectsABadInterval(t *testing.T) {
	for _, arg := range []string{"", "fast", "0s", "-1ms"} {
		assert.ErrorContains(t, spinMain(arg), spinArg, "interval %q", arg)
	}
}

func TestSpinProbeProcessRejectsABadInterval(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := startProbe(ctx, "spin probe", os.Args[0], spinArg, "never")
	require.NoError(t, err)
	_, err = p.stop()
	assert.ErrorContains(t, err, "spin probe")
	assert.ErrorContains(t, err, "want a positive duration")
}

func TestSpinFloorNeedsFortio(t *testing.T) {
	_, err := spinFloor(context.Background(), config{}, "http://127.0.0.1:1/", 1000)
	assert.ErrorContains(t, err, "fortio")
}

func TestMedianFloor(t *testing.T) {
	us := func(n int) floorRun {
		return floorRun{wakeStats: wakeStats{N: 1, P99: time.Duration(n) * time.Microsecond}}
	}
	failed := floorRun{err: errors.New("fortio failed")}
	for _, tc := range []struct {
		name string
		runs []floorRun
		want floorRun
	}{
		{"none", nil, floorRun{err: errors.New("not run")}},
		{"all failed", []floorRun{failed}, failed},
		{"median of three", []floorRun{us(300), us(40), us(90)}, us(90)},
		{"failures left out", []floorRun{failed, us(300), us(40), failed, us(90)}, us(90)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, medianFloor(tc.runs))
		})
	}
}
