//go:build integration

package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// first is a lab whose end state a later lab builds on.
var first = map[string]string{
	"lab.yaml": `apiVersion: labctl.dev/v1alpha1
kind: Lab
metadata: {name: first, title: First}
spec:
  stack: minimal
  scope:
    namespaces: [NS]
    kinds: [ConfigMap]
  baseline:
    setup:
      - apply: {inline: "{apiVersion: v1, kind: ConfigMap, metadata: {name: first-base, namespace: NS}}"}
  steps:
    - id: enrol
      title: Enrol
      text: Label the namespace and make ConfigMap first-done.
      solution:
        - label: {namespace: NS, labels: {first: done}}
        - apply: {file: done.yaml}
      checks:
        - {name: done, timeout: 5s, resource: {apiVersion: v1, kind: ConfigMap, namespace: NS, name: first-done}}
  cleanup:
    - delete: {apiVersion: v1, kind: ConfigMap, namespace: NS, name: first-base}
`,
	"done.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: first-done, namespace: NS}
data: {from: first}
`,
}

// second needs first done.
var second = map[string]string{
	"lab.yaml": `apiVersion: labctl.dev/v1alpha1
kind: Lab
metadata: {name: second, title: Second}
spec:
  stack: minimal
  prerequisites: [first]
  scope:
    namespaces: [NS]
    kinds: [ConfigMap]
  baseline:
    ready:
      - {name: first-done, timeout: 5s, resource: {apiVersion: v1, kind: ConfigMap, namespace: NS, name: first-done}}
  steps:
    - id: more
      title: More
      text: Make ConfigMap second-done.
      solution:
        - apply: {inline: "{apiVersion: v1, kind: ConfigMap, metadata: {name: second-done, namespace: NS}}"}
      checks:
        - {name: done, timeout: 5s, resource: {apiVersion: v1, kind: ConfigMap, namespace: NS, name: second-done}}
`,
}

func TestIntegrationPrerequisitesReplayedAndCleanedUp(t *testing.T) {
	f := newFixture(t)
	f.addLab(first)
	f.addLab(second)
	e := f.engine()

	st, err := e.Start(f.ctx, "second", StartOptions{})
	require.NoError(t, err)
	require.True(t, st.Ready.Passed, "the baseline sees the prerequisite's end state: %+v", st.Ready)
	require.Equal(t, []string{"first"}, st.Prerequisites)
	done, ok := f.configMap("first-done")
	require.True(t, ok, "start replays the prerequisite's solution")
	require.Equal(t, "first", done.Data["from"], "the prerequisite's files come from its own folder")
	_, ok = f.configMap("first-base")
	require.True(t, ok, "start applies the prerequisite's baseline")
	require.Equal(t, "done", f.nsLabels()["first"])

	// Reset keeps the prerequisite's end state and removes the lab's own steps.
	_, err = e.Solve(f.ctx, CheckOptions{})
	require.NoError(t, err)
	err = f.c.Kube.CoreV1().ConfigMaps(f.ns).Delete(f.ctx, "first-done", metav1.DeleteOptions{})
	require.NoError(t, err)
	_, err = e.Reset(f.ctx, ResetOptions{Step: 1})
	require.NoError(t, err)
	_, ok = f.configMap("first-done")
	require.True(t, ok, "reset puts back what the prerequisite made")
	_, ok = f.configMap("second-done")
	require.False(t, ok)

	stopped, err := e.Stop(f.ctx)
	require.NoError(t, err, "%+v", stopped)
	require.Empty(t, stopped.Changes)
	for _, name := range []string{"first-done", "first-base"} {
		_, ok := f.configMap(name)
		require.False(t, ok, "stop removes %s, which the prerequisite's replay made", name)
	}
	require.NotContains(t, f.nsLabels(), "first", "stop puts back the labels the replay set")
	var ran []string
	for _, a := range stopped.Actions {
		ran = append(ran, a.Action)
	}
	require.Contains(t, ran, "first: delete ConfigMap "+f.ns+"/first-base", "stop runs the prerequisite's cleanup")
}
