//go:build !linux

package main

import (
	"errors"
	"sync/atomic"
	"time"
)

func probeWakes(*atomic.Bool, time.Duration) ([]time.Duration, error) {
	return nil, errors.New("the wake probe needs Linux (clock_nanosleep)")
}
