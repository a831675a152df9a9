package loadgen

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// shortSlice is the time slice the threads of a fixed-rate run ask the
// kernel for, the shortest it grants. Since Linux 6.12 the fair scheduler
// (EEVDF) takes sched_attr.sched_runtime of a SCHED_OTHER thread as its
// slice request: a thread with a shorter slice than the one running gets
// an earlier deadline, so when its timer fires it preempts at once instead
// of waiting for the running thread's slice (3 ms by default) to run out.
// Next to a loaded server on a two-CPU machine this cut the 99th
// percentile of send lateness at 10,000 requests/s by about a third. No
// privilege is needed to ask for one's own threads; older kernels ignore
// the field.
const shortSlice = 100_000 // ns

// requestShortSlice asks for shortSlice on every thread of the process
// that runs under the normal or batch policy (threads the runtime starts
// later inherit it) and returns the function that puts the default back.
// It is best effort: where it cannot be set, pacing works as before.
func requestShortSlice() (restore func()) {
	setSlices(func(slice uint64) bool { return slice != shortSlice }, shortSlice)
	// 0 asks for the default slice again (which reads back as the
	// scheduler's base slice).
	return func() { setSlices(func(slice uint64) bool { return slice == shortSlice }, 0) }
}

// setSlices sets the slice request of each normal or batch thread whose
// slice matches to to. Threads that end meanwhile are skipped.
func setSlices(match func(slice uint64) bool, to uint64) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return
	}
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		a, err := unix.SchedGetAttr(tid, 0)
		if err != nil || !match(a.Runtime) || (a.Policy != unix.SCHED_NORMAL && a.Policy != unix.SCHED_BATCH) {
			continue
		}
		a.Runtime = to
		_ = unix.SchedSetAttr(tid, a, 0)
	}
}
