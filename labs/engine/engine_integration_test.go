//go:build integration

package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/labs/applyset"
)

func TestIntegrationWorkshopFlow(t *testing.T) {
	f := newFixture(t)
	f.addLab(threeSteps)
	e := f.engine()
	st, err := e.Start(f.ctx, "three", StartOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, st.Step.Number)
	require.True(t, st.Ready.Passed)
	base, ok := f.configMap("base")
	require.True(t, ok, "the baseline is applied")
	p := applyset.ParentFor("three", f.ns)
	require.Equal(t, p.ID(), base.Labels[applyset.PartOfLabel], "baseline objects are ApplySet members")
	parent, ok := f.configMap(p.Name)
	require.True(t, ok, "the ApplySet parent exists")
	require.Equal(t, p.ID(), parent.Labels[applyset.IDLabel])
	require.Equal(t, "ConfigMap", parent.Annotations[applyset.GroupKindsAnnotation])

	_, err = e.Start(f.ctx, "three", StartOptions{})
	require.ErrorIs(t, err, ErrOtherLabActive)

	ck, err := e.Check(f.ctx, CheckOptions{Once: true})
	require.NoError(t, err)
	require.False(t, ck.Passed, "step one's check fails before its solution")

	h, err := e.Hint(f.ctx)
	require.NoError(t, err)
	require.Equal(t, "first hint", h.Text)
	h, err = f.engine().Hint(f.ctx)
	require.NoError(t, err)
	require.Equal(t, "second hint", h.Text, "a new labctl process continues with the next hint")
	h, err = e.Hint(f.ctx)
	require.NoError(t, err)
	require.True(t, h.Repeated)

	ck, err = e.Solve(f.ctx, CheckOptions{})
	require.NoError(t, err)
	require.True(t, ck.Passed)
	require.NotNil(t, ck.Next)
	require.Equal(t, 2, ck.Next.Number)

	// Progress survives a restart of labctl: a new engine on the same state.
	status, err := f.engine().Status(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, status.Step)
	require.True(t, status.Steps[0].Done)
	require.Equal(t, 2, status.Steps[0].HintsShown)
	require.Equal(t, "pass", status.Steps[0].Checks[0].Status)
	require.Equal(t, "step 2/3", f.engine().Progress("three"))

	stopped, err := e.Stop(f.ctx)
	require.NoError(t, err)
	require.Empty(t, stopped.Changes)
	_, ok = f.configMap("one")
	require.False(t, ok, "stop removes what the lab applied")
	_, ok = f.configMap(p.Name)
	require.False(t, ok, "stop removes the ApplySet parent")
	require.Equal(t, "stopped at 1/3", f.engine().Progress("three"))
}

func TestIntegrationResetConverges(t *testing.T) {
	f := newFixture(t)
	f.addLab(threeSteps)
	e := f.engine()
	_, err := e.Start(f.ctx, "three", StartOptions{})
	require.NoError(t, err)
	_, err = e.Solve(f.ctx, CheckOptions{})
	require.NoError(t, err)
	_, err = e.Solve(f.ctx, CheckOptions{})
	require.NoError(t, err)
	require.Equal(t, "blue", f.nsLabels()["team"])
	_, has := f.nsLabels()["istio-injection"]
	require.False(t, has)

	// The learner makes an object by hand and changes one of the lab's.
	_, err = f.c.Kube.CoreV1().ConfigMaps(f.ns).Create(f.ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "mine"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	one, _ := f.configMap("one")
	one.Data["v"] = "learner"
	_, err = f.c.Kube.CoreV1().ConfigMaps(f.ns).Update(f.ctx, one, metav1.UpdateOptions{FieldManager: "kubectl-edit"})
	require.NoError(t, err)

	// Back to the start of step 2: one as step 1 left it, no two, no mine,
	// and the namespace labels as they were before step 2.
	rs, err := e.Reset(f.ctx, ResetOptions{Step: 2})
	require.NoError(t, err)
	require.Equal(t, 2, rs.Step.Number)
	one, ok := f.configMap("one")
	require.True(t, ok)
	require.Equal(t, "1", one.Data["v"], "reset restores an object the learner changed")
	_, ok = f.configMap("mine")
	require.False(t, ok, "reset removes an object the learner created")
	_, ok = f.configMap("two")
	require.False(t, ok, "reset removes what later steps applied")
	require.Equal(t, "enabled", f.nsLabels()["istio-injection"], "reset restores a namespace label")
	require.NotContains(t, f.nsLabels(), "team")
	require.Contains(t, rs.Pruned, "ConfigMap "+f.ns+"/mine")

	st, err := e.Status(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, st.Step)
	require.False(t, st.Steps[1].Done, "steps from the reset on are not done")
	stopped, err := e.Stop(f.ctx)
	require.NoError(t, err, "%v", stopped)
}
