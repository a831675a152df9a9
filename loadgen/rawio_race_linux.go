//go:build race

package loadgen

import "syscall"

// raceEnabled: built with -race.
const raceEnabled = true

// raceIOSync gives the race detector the ordering a net.Conn read or write
// gives it: syscall.Read and syscall.Write synchronise every I/O call of
// the process through one variable, so a test's server handler happens
// before the client's read of its response. Raw calls skip that; a
// zero-length call on the same socket restores it (race builds only).
func raceIOSync(fd uintptr, read bool) {
	if read {
		_, _ = syscall.Read(int(fd), nil)
	} else {
		_, _ = syscall.Write(int(fd), nil)
	}
}
