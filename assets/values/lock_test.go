package values_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/stacks"
)

// chartHeader is how a values file names its chart and repository on its
// first line, and the README table does per file.
var (
	chartHeader = regexp.MustCompile(`^# ([a-z-]+) chart[^(]*\((https?://[^)]+)\)`)
	readmeRow   = regexp.MustCompile("(?m)^\\| `([a-z-]+)\\.yaml` \\| `([a-z-]+)`[^(|]*\\((https?://[^)]+)\\)")
)

// TestRepositoriesMatchTheLock: the repository a values file or the README
// names for a chart is the one labctl installs it from (stacks/versions.yaml).
func TestRepositoriesMatchTheLock(t *testing.T) {
	v, err := stacks.LoadVersions()
	require.NoError(t, err)
	files, err := os.ReadDir(".")
	require.NoError(t, err)
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f.Name())
		require.NoError(t, err)
		m := chartHeader.FindSubmatch(b)
		if m == nil {
			continue
		}
		pin, ok := v.Charts[string(m[1])]
		require.True(t, ok, "%s names chart %s, which is not in the lock", f.Name(), m[1])
		assert.Equal(t, pin.Repo, string(m[2]), "%s: repository of chart %s", f.Name(), m[1])
		seen++
	}
	assert.GreaterOrEqual(t, seen, 5, "every addon values file names its chart")

	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	rows := readmeRow.FindAllSubmatch(readme, -1)
	require.NotEmpty(t, rows)
	for _, r := range rows {
		pin, ok := v.Charts[string(r[2])]
		require.True(t, ok, "README names chart %s, which is not in the lock", r[2])
		assert.Equal(t, pin.Repo, string(r[3]), "README row of %s.yaml", r[1])
	}
}
