package main

import (
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
