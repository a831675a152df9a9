package loadgen

import (
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// threadSlices reads the slice request of every thread of the process.
func threadSlices(t *testing.T) map[int]uint64 {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/task")
	require.NoError(t, err)
	got := map[int]uint64{}
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		require.NoError(t, err)
		if a, err := unix.SchedGetAttr(tid, 0); err == nil {
			got[tid] = a.Runtime
		}
	}
	return got
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
