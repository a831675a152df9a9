package labs

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBenchLabHasTenObjects keeps the lab `make bench-lab` times what the
// benchmark says it is: valid, and ten objects (plus their namespace) at
// the start of its last step, the state `lab goto` and `lab reset` reach.
func TestBenchLabHasTenObjects(t *testing.T) {
	dir := "testdata/bench-ten"
	ps, err := Lint(nil, nil, dir)
	require.NoError(t, err)
	require.Empty(t, ps)
	l, err := Load(os.DirFS(dir), dir, dir)
	require.NoError(t, err)
	acts := append([]Action{}, l.Spec.Baseline.Setup...)
	last := len(l.Spec.Steps)
	for _, st := range l.Spec.Steps[:last-1] {
		acts = append(acts, st.Solution...)
	}
	var objects, namespaces int
	for _, a := range acts {
		if a.Apply == nil {
			continue
		}
		objs, err := l.Objects(a)
		require.NoError(t, err)
		for _, o := range objs {
			if o.GetKind() == "Namespace" {
				namespaces++
			} else {
				objects++
			}
		}
	}
	require.Equal(t, 10, objects)
	require.Equal(t, 1, namespaces)
}
