//go:build !linux

package loadgen

// requestShortSlice does nothing where the kernel takes no slice requests.
func requestShortSlice() (restore func()) { return func() {} }

// requestBatch does nothing where there is no SCHED_BATCH.
func requestBatch() (restore func()) { return func() {} }
