package labs

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

// The complete example of docs/labs.md is a valid lab.
func TestDocsExampleIsValid(t *testing.T) {
	doc, err := os.ReadFile("../docs/labs.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "## A complete example\n\n```yaml\n")
	require.True(t, ok, "docs/labs.md lost its complete example")
	example, _, ok := strings.Cut(rest, "\n```\n")
	require.True(t, ok)
	obj := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
	fsys := fstest.MapFS{
		FileName:                     {Data: []byte(example)},
		"steps/01-deploy.md":         {Data: []byte("# Deploy\n")},
		"manifests/v2.yaml":          {Data: []byte(obj)},
		"manifests/route-90-10.yaml": {Data: []byte(obj)},
	}
	_, err = Load(fsys, "docs/labs.md", "")
	require.NoError(t, err)
}
