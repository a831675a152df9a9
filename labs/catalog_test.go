package labs

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuiltinLabsHaveNoProblems(t *testing.T) {
	c, err := LoadCatalog(Builtin())
	require.NoError(t, err)
	assert.Empty(t, c.Problems().Error())
	require.NotEmpty(t, c.List())
	for _, l := range c.List() {
		_, err := c.Get(l.ID())
		assert.NoError(t, err, l.ID())
		for i := range l.Spec.Steps {
			md, err := l.StepMarkdown(i)
			require.NoError(t, err)
			assert.NotContains(t, md, "{{<", "%s step %d: include left unexpanded", l.ID(), i+1)
		}
	}
}

func mustSub(t *testing.T, dir string) fs.FS {
	t.Helper()
	sub, err := fs.Sub(Builtin(), dir)
	require.NoError(t, err)
	return sub
}
