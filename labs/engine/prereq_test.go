package engine

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/labs/scope"
)

// prereqLab is a lab on stack with the given prerequisites; its one step
// applies ConfigMap <id>-done from its own folder and its cleanup labels
// the namespace.
func prereqLab(t *testing.T, id, stack string, pre ...string) *labs.Lab {
	t.Helper()
	fsys := fstest.MapFS{
		"lab.yaml": {Data: []byte(fmt.Sprintf(`apiVersion: labctl.dev/v1alpha1
kind: Lab
metadata: {name: %[1]s, title: T}
spec:
  stack: %[2]s
  prerequisites: [%[3]s]
  scope: {namespaces: [demo], kinds: [ConfigMap]}
  baseline:
    setup:
      - apply: {inline: "{apiVersion: v1, kind: ConfigMap, metadata: {name: %[1]s-base}}"}
  steps:
    - id: a
      title: A
      text: a
      solution:
        - apply: {file: done.yaml}
      checks: [{name: a, resource: {apiVersion: v1, kind: ConfigMap, namespace: demo, name: %[1]s-done}}]
  cleanup:
    - label: {namespace: demo, labels: {cleaned: %[1]s}}
`, id, stack, strings.Join(pre, ", ")))},
		"done.yaml": {Data: []byte(fmt.Sprintf("{apiVersion: v1, kind: ConfigMap, metadata: {name: %s-done}}\n", id))},
	}
	l, err := labs.Load(fsys, id, "")
	require.NoError(t, err)
	return l
}

type testCatalog map[string]*labs.Lab

func (c testCatalog) Get(id string) (*labs.Lab, error) {
	if l, ok := c[id]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("no lab %q", id)
}

func ids(ls []*labs.Lab) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, l.ID())
	}
	return out
}

func TestPrerequisitesOrder(t *testing.T) {
	cat := testCatalog{}
	for _, l := range []*labs.Lab{
		prereqLab(t, "base", "s"),
		prereqLab(t, "mid", "s", "base"),
		prereqLab(t, "other", "s", "base"),
		prereqLab(t, "top", "s", "mid", "other"),
		prereqLab(t, "elsewhere", "t"),
		prereqLab(t, "wrong-stack", "s", "elsewhere"),
		prereqLab(t, "missing", "s", "gone"),
		prereqLab(t, "loop-a", "s", "loop-b"),
		prereqLab(t, "loop-b", "s", "loop-a"),
	} {
		cat[l.ID()] = l
	}
	tests := []struct {
		lab     string
		want    []string
		wantErr string
	}{
		{"base", []string{}, ""},
		{"mid", []string{"base"}, ""},
		// Each prerequisite once, before the labs that need it.
		{"top", []string{"base", "mid", "other"}, ""},
		{"wrong-stack", nil, "prerequisite elsewhere of lab wrong-stack runs on stack t, the lab on s"},
		{"missing", nil, `prerequisite gone of lab missing: no lab "gone"`},
		{"loop-a", nil, "form a cycle: loop-a -> loop-b -> loop-a"},
	}
	for _, tt := range tests {
		t.Run(tt.lab, func(t *testing.T) {
			got, err := prerequisites(cat, cat[tt.lab])
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, ids(got))
		})
	}
}

func TestDesiredStateIncludesPrerequisites(t *testing.T) {
	base, mid := prereqLab(t, "base", "s"), prereqLab(t, "mid", "s", "base")
	cm := func(name string) scope.Key { return scope.Key{Kind: "ConfigMap", Namespace: "demo", Name: name} }
	for step, want := range map[int][]scope.Key{
		1: {cm("base-base"), cm("base-done"), cm("mid-base")},
		2: {cm("base-base"), cm("base-done"), cm("mid-base"), cm("mid-done")},
	} {
		d, err := stateAt(mid, []*labs.Lab{base}, testMapper(), step)
		require.NoError(t, err)
		got := []scope.Key{}
		for _, o := range d.live() {
			got = append(got, scope.KeyOf(o))
		}
		require.Equal(t, want, got, "step %d: the prerequisite's end state (its files read from its own folder), then the lab's", step)
	}
	acts := allActions(mid, []*labs.Lab{base})
	last := acts[len(acts)-1]
	require.Same(t, base, last.lab, "the prerequisites' cleanups come last")
	require.Equal(t, "base", last.act.Label.Labels["cleaned"])
}
