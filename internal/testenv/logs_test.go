package testenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProblemLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kube-apiserver.log")
	require.NoError(t, os.WriteFile(path, []byte(`I1203 15:10:00.000001 1 server.go:1] started
E1203 15:10:01.000002 1 crd_finalizer.go:1] first
W1203 15:10:02.000003 1 warnings.go:1] second
Everything fine
2026-12-03T15:10:03Z	error	ads	third
2026-12-03T15:10:04Z	info	ads	not this
2026-12-03T15:10:05Z	warn	ads	fourth
`), 0o600))
	for _, tc := range []struct {
		n    int
		want []string
	}{
		{10, []string{
			"E1203 15:10:01.000002 1 crd_finalizer.go:1] first",
			"W1203 15:10:02.000003 1 warnings.go:1] second",
			"2026-12-03T15:10:03Z\terror\tads\tthird",
			"2026-12-03T15:10:05Z\twarn\tads\tfourth",
		}},
		{2, []string{"2026-12-03T15:10:03Z\terror\tads\tthird", "2026-12-03T15:10:05Z\twarn\tads\tfourth"}},
	} {
		got, err := problemLines(path, tc.n)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "n=%d", tc.n)
	}
	_, err := problemLines(filepath.Join(t.TempDir(), "missing.log"), 5)
	assert.Error(t, err)
}
