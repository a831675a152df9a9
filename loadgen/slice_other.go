//go:build !linux

package loadgen

// requestShortSlice does nothing where the kernel takes no slice requests.
func requestShortSlice() (restore func()) { return func() {} }
