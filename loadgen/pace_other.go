//go:build !linux

package loadgen

import "context"

func newSleeper(context.Context) sleeper { return newTimerSleeper() }
