package main

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRotate(t *testing.T) {
	ts := []string{"labctl", "fortio", "vegeta"}
	for _, tc := range []struct {
		k    int
		want []string
	}{
		{0, []string{"labctl", "fortio", "vegeta"}},
		{1, []string{"fortio", "vegeta", "labctl"}},
		{2, []string{"vegeta", "labctl", "fortio"}},
		{4, []string{"fortio", "vegeta", "labctl"}},
	} {
		assert.Equal(t, tc.want, rotate(ts, tc.k), "k=%d", tc.k)
	}
	assert.Equal(t, []string{"labctl", "fortio", "vegeta"}, ts, "rotate must not change its argument")
	assert.Empty(t, rotate([]string(nil), 3))
}

func TestRoundRatios(t *testing.T) {
	rps := func(vs ...float64) []measurement {
		var ms []measurement
		for _, v := range vs {
			ms = append(ms, measurement{rps: v})
		}
		return ms
	}
	failed := measurement{err: errors.New("exit status 1")}
	for _, tc := range []struct {
		name         string
		labctl, peer []measurement
		want         string
	}{
		{"one ratio per round", rps(100, 99, 105), rps(100, 110, 100), "; by round 1.00x 0.90x 1.05x"},
		{"a failed round is left out", append(rps(100), failed, measurement{rps: 120}), rps(100, 100, 100), "; by round 1.00x 1.20x"},
		{"a peer without a figure is left out", rps(100, 100, 100), rps(50, 0, 100), "; by round 2.00x 1.00x"},
		{"rounds only one tool ran are left out", rps(100, 100, 100), rps(100, 50), "; by round 1.00x 2.00x"},
		{"one round says nothing the median does not", rps(100), rps(100), ""},
		{"no rounds", nil, nil, ""},
	} {
		assert.Equal(t, tc.want, roundRatios(tc.labctl, tc.peer), tc.name)
	}
}
