package main

import (
	"context"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary serve as the probes' process.
func TestMain(m *testing.M) {
	handled, err := probeDispatch(os.Args[1:])
	if !handled {
		os.Exit(m.Run())
	}
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

func TestWakeStatsOf(t *testing.T) {
	us := func(n ...int) []time.Duration {
		var ds []time.Duration
		for _, x := range n {
			ds = append(ds, time.Duration(x)*time.Microsecond)
		}
		return ds
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100..1, unsorted
	}
	for _, tc := range []struct {
		name    string
		samples []time.Duration
		want    wakeStats
	}{
		{"none", nil, wakeStats{}},
		{"one", us(7), wakeStats{N: 1, P50: 7 * time.Microsecond, P99: 7 * time.Microsecond, Max: 7 * time.Microsecond}},
		{"hundred", us(hundred...), wakeStats{N: 100, P50: 51 * time.Microsecond, P99: 100 * time.Microsecond, Max: 100 * time.Microsecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]time.Duration(nil), tc.samples...)
			assert.Equal(t, tc.want, wakeStatsOf(tc.samples))
			assert.Equal(t, in, tc.samples, "wakeStatsOf must not reorder its argument")
		})
	}
}

func TestProbeWakesUntilStopped(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the wake probe needs Linux (clock_nanosleep)")
	}
	var stop atomic.Bool
	stop.Store(true) // stopped before it starts: still one wake-up
	samples, err := probeWakes(&stop, time.Millisecond)
	require.NoError(t, err)
	require.Len(t, samples, 1)
	assert.GreaterOrEqual(t, samples[0], time.Duration(0), "a wake-up cannot come before its time")

	stop.Store(false)
	done := make(chan []time.Duration)
	go func() {
		s, err := probeWakes(&stop, 100*time.Microsecond)
		assert.NoError(t, err)
		done <- s
	}()
	stop.Store(true)
	samples = <-done
	assert.NotEmpty(t, samples)
	for _, s := range samples {
		assert.GreaterOrEqual(t, s, time.Duration(0))
	}
}

// TestProbeProcesses runs each probe as the bench does: this binary again,
// stopped by closing its stdin.
func TestProbeProcesses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		linux bool // needs clock_nanosleep
	}{
		{"wake probe", []string{probeArg}, true},
		{"spin probe", []string{spinArg, "100µs"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.linux && runtime.GOOS != "linux" {
				t.Skip("the wake probe needs Linux (clock_nanosleep)")
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			p, err := startProbe(ctx, tc.name, os.Args[0], tc.args...)
			require.NoError(t, err)
			w, err := p.stop()
			require.NoError(t, err)
			assert.GreaterOrEqual(t, w.N, 1)
			assert.GreaterOrEqual(t, w.Max, w.P99)
			assert.GreaterOrEqual(t, w.P99, w.P50)
			assert.GreaterOrEqual(t, w.P50, time.Duration(0))

			_, err = startProbe(ctx, tc.name, "/nonexistent/bench-loadgen", tc.args...)
			assert.ErrorContains(t, err, tc.name)
		})
	}
}

// Arguments that ask for no probe are left to the bench's own flags.
func TestProbeDispatchLeavesOtherArgs(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"-labctl", "bin/labctl load"},
		{probeArg, "extra"}, // the wake probe takes no value
		{spinArg},           // the spin probe needs its interval
	} {
		handled, err := probeDispatch(args)
		assert.False(t, handled, "%q", args)
		assert.NoError(t, err, "%q", args)
	}
}
