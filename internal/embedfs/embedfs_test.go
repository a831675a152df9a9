package embedfs

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestNamesAndRead(t *testing.T) {
	fsys := fstest.MapFS{
		"d/b.yaml":   {Data: []byte("b")},
		"d/a.yaml":   {Data: []byte("a")},
		"d/c.json":   {Data: []byte("c")},
		"d/sub/x.md": {Data: []byte("x")},
	}
	require.Equal(t, []string{"a", "b"}, Names(fsys, "d", ".yaml"))
	b, err := Read(fsys, "d", ".yaml", "values file", "a")
	require.NoError(t, err)
	require.Equal(t, "a", string(b))
	_, err = Read(fsys, "d", ".yaml", "values file", "z")
	require.EqualError(t, err, `values file "z" is not embedded: use one of a, b`)
	require.Nil(t, Names(fsys, "missing", ".yaml"))
}
