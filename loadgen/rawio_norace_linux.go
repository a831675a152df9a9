//go:build !race

package loadgen

// raceEnabled: built with -race (rawio_race_linux.go).
const raceEnabled = false

func raceIOSync(uintptr, bool) {}
