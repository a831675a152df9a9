package verify

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadCheckSet(t *testing.T) {
	cs, err := LoadCheckSet("testdata/bookinfo-checks.yaml")
	require.NoError(t, err)
	assert.Equal(t, "bookinfo-traffic-shifting", cs.Metadata.Name)
	var types []string
	for _, c := range cs.Checks {
		types = append(types, c.Type())
	}
	assert.Equal(t, []string{"pods", "resource", "http", "split", "promql", "kiali", "trace", "exec"}, types)
	assert.Equal(t, 3*time.Minute, cs.Checks[0].Timeout.Duration)
	assert.Equal(t, 3, *cs.Checks[0].Pods.Count)
	assert.Equal(t, "productpage", cs.Checks[3].Split.App, "Target fields are inlined")
	assert.Equal(t, 2*time.Minute, cs.Checks[4].PromQL.Window.Duration)
	assert.True(t, cs.Checks[7].Exec.NonZeroExit)
	assert.Equal(t, "legacy", cs.Checks[7].Exec.Namespace)
}

func TestParseCheckSetErrors(t *testing.T) {
	head := "apiVersion: labctl.dev/v1alpha1\nkind: CheckSet\nmetadata: {name: x}\nchecks:\n"
	tests := []struct {
		name, doc, want string
	}{
		{"unknown field names file, line and field",
			head + "  - name: a\n    timout: 5s\n    pods: {namespace: x}\n",
			`set.yaml:6: checks[0]: unknown field "timout"`},
		{"unknown nested field",
			head + "  - name: a\n    http:\n      app: p\n      expect:\n        stauts: [200]\n",
			`set.yaml:9: checks[0].http.expect: unknown field "stauts"`},
		{"wrong type", head + "  - name: a\n    pods: {namespace: x, count: three}\n",
			`set.yaml:6: checks[0].pods.count: expected a whole number, got "three"`},
		{"string expected", head + "  - name: a\n    exec: {namespace: x, pod: p, command: curl}\n",
			"checks[0].exec.command: expected a list"},
		{"bad duration", head + "  - name: a\n    timeout: 5 minutes\n    pods: {namespace: x}\n", `duration "5 minutes"`},
		{"two types", head + "  - name: a\n    pods: {namespace: x}\n    trace: {service: s}\n", "several check types (pods, trace)"},
		{"no type", head + "  - name: a\n", "no check type"},
		{"duplicate names", head + "  - name: a\n    pods: {namespace: x}\n  - name: a\n    pods: {namespace: y}\n", `name "a" is already used by checks[0]`},
		{"wrong kind", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nchecks: []\n", "want labctl.dev/v1alpha1/CheckSet"},
		{"no checks", head, "no checks"},
		{"invalid split", head + "  - name: s\n    split: {app: p, classifier: nope, weights: {a: 1, b: 1}}\n", `unknown classifier "nope"`},
		{"bad yaml", "a: [", "set.yaml:1: not valid YAML"},
		{"semantic error has the check's line", head + "  - name: a\n    pods: {namespace: x}\n  - name: b\n", "set.yaml:7: checks[1]: check \"b\": no check type"},
		{"duplicate name has its line", head + "  - name: a\n    pods: {namespace: x}\n  - name: a\n    pods: {namespace: y}\n", "set.yaml:7: checks[1]: name \"a\" is already used"},
		{"duplicate key", head + "  - name: a\n    pods: {namespace: x}\n    name: b\n", `set.yaml:7: checks[0]: key "name" is repeated (first at line 5)`},
		{"second document", head + "  - name: a\n    pods: {namespace: x}\n---\nkind: CheckSet\n", "set.yaml:8: a second YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCheckSet("set.yaml", []byte(tt.doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLoadCheckSetTooBig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(path, make([]byte, 50<<20), 0o600))
	_, err := LoadCheckSet(path)
	require.ErrorContains(t, err, path+": the file is larger than the 1.0 MiB limit")
}

func TestLoadCheckSetMissingFile(t *testing.T) {
	_, err := LoadCheckSet(filepath.Join(t.TempDir(), "none.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "reading check set")
}
