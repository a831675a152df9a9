package version

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/stacks"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The table lists every release of the lock with all its pins.
func TestWriteLockListsEveryRelease(t *testing.T) {
	v, err := stacks.LoadVersions()
	require.NoError(t, err)
	l, err := LockOf(v)
	require.NoError(t, err)
	require.Len(t, l.Releases, len(v.Istio.Releases))
	defaults := 0
	for _, r := range l.Releases {
		if r.Default {
			defaults++
		}
		for _, c := range chartColumns {
			require.NotEmpty(t, r.Charts[c.chart], "%s: chart %s", r.Istio, c.chart)
		}
	}
	require.Equal(t, 1, defaults)
	var b bytes.Buffer
	require.NoError(t, WriteLock(&b, l))
	p := filepath.Join("testdata", "lock.golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(p, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err, "missing golden: go test ./cmd/labctl/app/version -update")
	require.Equal(t, string(want), b.String())
}
