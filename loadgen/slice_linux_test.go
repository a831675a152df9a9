package loadgen

import (
	"context"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// threadAttrs reads the scheduling attributes of every thread of the
// process and keeps what get picks from them.
func threadAttrs[T any](t *testing.T, get func(*unix.SchedAttr) T) map[int]T {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/task")
	require.NoError(t, err)
	got := map[int]T{}
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		require.NoError(t, err)
		if a, err := unix.SchedGetAttr(tid, 0); err == nil {
			got[tid] = get(a)
		}
	}
	return got
}

// threadSlices reads the slice request of every thread of the process.
func threadSlices(t *testing.T) map[int]uint64 {
	return threadAttrs(t, func(a *unix.SchedAttr) uint64 { return a.Runtime })
}

// A fixed-rate run asks for the short slice on every thread and gives it
// back afterwards, keeping the nice value.
func TestShortSliceIsRequestedAndRestored(t *testing.T) {
	self, err := unix.SchedGetAttr(0, 0)
	require.NoError(t, err)
	if self.Policy != unix.SCHED_NORMAL && self.Policy != unix.SCHED_BATCH {
		t.Skipf("test thread runs under policy %d, not the fair class: slice requests do not apply", self.Policy)
	}
	if !kernelTakesSlices(t) {
		t.Skipf("kernel %s does not take slice requests (Linux 6.12 or later does): nothing to check", kernelRelease())
	}
	before := threadSlices(t)
	restore := requestShortSlice()
	during := threadSlices(t)
	restore()
	after := threadSlices(t)

	for tid, slice := range during {
		assert.Equal(t, uint64(shortSlice), slice, "thread %d during the run", tid)
	}
	for tid, slice := range after {
		assert.NotEqual(t, uint64(shortSlice), slice, "thread %d after the run", tid)
		if b, ok := before[tid]; ok {
			assert.Equal(t, b, slice, "thread %d: default slice back", tid)
		}
	}
	now, err := unix.SchedGetAttr(0, 0)
	require.NoError(t, err)
	assert.Equal(t, self.Nice, now.Nice, "nice value kept")
}

// threadPolicies reads the scheduling policy of every thread of the process.
func threadPolicies(t *testing.T) map[int]uint32 {
	return threadAttrs(t, func(a *unix.SchedAttr) uint32 { return a.Policy })
}

// requireNormalPolicy skips when the test process does not run under the
// normal policy (under chrt -b, say), where requestBatch leaves it alone.
func requireNormalPolicy(t *testing.T) *unix.SchedAttr {
	t.Helper()
	self, err := unix.SchedGetAttr(0, 0)
	require.NoError(t, err)
	if self.Policy != unix.SCHED_NORMAL {
		t.Skipf("test thread runs under policy %d, not SCHED_NORMAL: there is nothing for requestBatch to move", self.Policy)
	}
	return self
}

// A max-rate run moves every normal thread under SCHED_BATCH and back
// afterwards, keeping the nice value.
func TestBatchIsRequestedAndRestored(t *testing.T) {
	self := requireNormalPolicy(t)
	before := threadPolicies(t)
	restore := requestBatch()
	during := threadPolicies(t)
	restore()
	after := threadPolicies(t)

	for tid, p := range during {
		if before[tid] == unix.SCHED_NORMAL {
			assert.EqualValues(t, unix.SCHED_BATCH, p, "thread %d during the run", tid)
		}
	}
	for tid, p := range after {
		if b, ok := before[tid]; ok {
			assert.Equal(t, b, p, "thread %d: policy back", tid)
		}
	}
	now, err := unix.SchedGetAttr(0, 0)
	require.NoError(t, err)
	assert.Equal(t, self.Nice, now.Nice, "nice value kept")
}

// A process already under the batch policy (chrt -b) stays under it.
func TestBatchLeavesABatchProcessAlone(t *testing.T) {
	requireNormalPolicy(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		// Every thread batch, as chrt -b would start the process. The
		// test's own thread is among them, so put all back at the end.
		require.Positive(t, setPolicies(unix.SCHED_NORMAL, unix.SCHED_BATCH))
		defer setPolicies(unix.SCHED_BATCH, unix.SCHED_NORMAL)
		restore := requestBatch()
		restore()
		for tid, p := range threadPolicies(t) {
			assert.EqualValues(t, unix.SCHED_BATCH, p, "thread %d after the run", tid)
		}
	}()
	<-done
}

// The run itself does it: a handler in this process, served while a
// max-rate run goes on, runs on a batch thread; one served while a
// fixed-rate run goes on does not.
func TestMaxRateRunsUnderBatch(t *testing.T) {
	requireNormalPolicy(t)
	var batch, other atomic.Int64
	url := server(t, func(w http.ResponseWriter, r *http.Request) {
		if a, err := unix.SchedGetAttr(0, 0); err == nil && a.Policy == unix.SCHED_BATCH {
			batch.Add(1)
		} else {
			other.Add(1)
		}
		ok(w, r)
	})
	_, err := Run(context.Background(), Options{URL: url, Requests: 200, Concurrency: 2})
	require.NoError(t, err)
	assert.EqualValues(t, 200, batch.Load(), "max rate: every request served on a batch thread")
	assert.Zero(t, other.Load())

	batch.Store(0)
	_, err = Run(context.Background(), Options{URL: url, RPS: 200, Requests: 20, Concurrency: 2})
	require.NoError(t, err)
	assert.Zero(t, batch.Load(), "fixed rate: no batch thread")
}

// kernelTakesSlices asks for the short slice on a thread of its own and
// reads it back, then gives the default back.
func kernelTakesSlices(t *testing.T) bool {
	t.Helper()
	took := make(chan bool)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		a, err := unix.SchedGetAttr(0, 0)
		if err != nil {
			took <- false
			return
		}
		def := *a
		a.Runtime = shortSlice
		ok := unix.SchedSetAttr(0, a, 0) == nil
		if b, err := unix.SchedGetAttr(0, 0); ok && err == nil {
			ok = b.Runtime == shortSlice
		}
		def.Runtime = 0
		assert.NoError(t, unix.SchedSetAttr(0, &def, 0), "giving the probe thread its default slice back")
		took <- ok
	}()
	return <-took
}

func kernelRelease() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "(unknown)"
	}
	return unix.ByteSliceToString(u.Release[:])
}
