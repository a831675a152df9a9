package version

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/golden"
	"github.com/labctl/labctl/stacks"
)

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
	golden.Assert(t, "lock.golden", b.Bytes())
}
