//go:build integration

package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/labs/scope"
)

func TestIntegrationGotoMatchesSolving(t *testing.T) {
	f := newFixture(t)
	f.addLab(threeSteps)
	e := f.engine()
	_, err := e.Start(f.ctx, "three", StartOptions{})
	require.NoError(t, err)
	s, err := e.open(f.ctx, true, true)
	require.NoError(t, err)
	sc, err := s.snapshotScope()
	require.NoError(t, err)
	take := func() *scope.Snapshot {
		snap, err := s.lister().Take(f.ctx, sc, e.now())
		require.NoError(t, err)
		return snap
	}
	for range 2 {
		ck, err := e.Solve(f.ctx, CheckOptions{})
		require.NoError(t, err)
		require.True(t, ck.Passed)
	}
	solved := take()
	_, err = e.Reset(f.ctx, ResetOptions{Step: 1})
	require.NoError(t, err)
	require.NotEmpty(t, scope.Diff(solved, take()), "step 1's state differs from step 3's")
	rs, err := e.Goto(f.ctx, 3)
	require.NoError(t, err)
	require.Equal(t, 3, rs.Step.Number)
	require.Empty(t, scope.Diff(solved, take()), "goto 3 reaches the state of solving steps 1 and 2")
	_, err = e.Stop(f.ctx)
	require.NoError(t, err)
}

func TestIntegrationLeakIsNamed(t *testing.T) {
	f := newFixture(t)
	one := int32(1)
	_, err := f.c.Kube.AppsV1().Deployments(f.ns).Create(f.ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "web"}}}}},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	_, err = f.c.Kube.CoreV1().ConfigMaps(f.ns).Create(f.ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "keep"}}, metav1.CreateOptions{})
	require.NoError(t, err)
	f.addLab(map[string]string{"lab.yaml": `apiVersion: labctl.dev/v1alpha1
kind: Lab
metadata: {name: leaky, title: Leaks}
spec:
  stack: minimal
  scope:
    namespaces: [NS]
    kinds: [ConfigMap, apps/Deployment]
  steps:
    - id: scale
      title: Scale web and drop keep
      text: The lab forgets to undo this.
      solution:
        - scale: {namespace: NS, name: web, replicas: 3}
        - delete: {apiVersion: v1, kind: ConfigMap, namespace: NS, name: keep}
      checks:
        - {name: gone, timeout: 5s, resource: {apiVersion: v1, kind: ConfigMap, namespace: NS, name: keep, absent: true}}
`})
	e := f.engine()
	_, err = e.Start(f.ctx, "leaky", StartOptions{})
	require.NoError(t, err)
	_, err = e.Solve(f.ctx, CheckOptions{})
	require.NoError(t, err)
	stopped, err := e.Stop(f.ctx)
	require.Error(t, err)
	require.True(t, IsLeak(err))
	require.ErrorContains(t, err, "changed Deployment.apps "+f.ns+"/web (spec.replicas)")
	require.ErrorContains(t, err, "deleted ConfigMap "+f.ns+"/keep")
	require.Len(t, stopped.Changes, 2)
	_, err = e.Status(f.ctx)
	require.ErrorIs(t, err, ErrNoActiveLab, "the lab is stopped even when it leaked")
}

// A lab that labels a namespace in one step and restarts its workloads in
// the next: a reset to the second step must leave the namespace labelled
// and the pods as the restart before it made them. No injector runs here,
// so a Deployment whose template has an istio-proxy container stands for
// injected pods.
func TestIntegrationResetRestartsUnderEarlierInjection(t *testing.T) {
	for _, tt := range []struct {
		name        string
		containers  []string
		wantRestart bool
	}{
		{"pods with sidecars restart", []string{"web", "istio-proxy"}, true},
		{"pods without sidecars stay", []string{"web"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			one := int32(1)
			var cs []corev1.Container
			for _, n := range tt.containers {
				cs = append(cs, corev1.Container{Name: n, Image: n})
			}
			_, err := f.c.Kube.AppsV1().Deployments(f.ns).Create(f.ctx, &appsv1.Deployment{
				ObjectMeta: metav1.ObjectMeta{Name: "web"},
				Spec: appsv1.DeploymentSpec{Replicas: &one,
					Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
					Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
						Spec: corev1.PodSpec{Containers: cs}}},
			}, metav1.CreateOptions{})
			require.NoError(t, err)
			f.addLab(map[string]string{"lab.yaml": `apiVersion: labctl.dev/v1alpha1
kind: Lab
metadata: {name: inject, title: "Label, then restart"}
spec:
  stack: minimal
  scope:
    namespaces: [NS]
    kinds: [apps/Deployment]
  baseline:
    setup:
      - unlabel: {namespace: NS, keys: [istio-injection]}
      - rolloutRestart: {namespace: NS, timeout: 1m}
  steps:
    - id: label
      title: Label
      text: Label the namespace.
      solution:
        - label: {namespace: NS, labels: {istio-injection: enabled}}
      checks:
        - {name: labelled, resource: {apiVersion: v1, kind: Namespace, name: NS, match: {metadata: {labels: {istio-injection: enabled}}}}}
    - id: restart
      title: Restart
      text: Restart the workloads.
      solution:
        - rolloutRestart: {namespace: NS, timeout: 1m}
      checks:
        - {name: web, pods: {namespace: NS, selector: app=web, count: 1}}
`})
			e := f.engine()
			_, err = e.Start(f.ctx, "inject", StartOptions{})
			require.NoError(t, err)
			for range 2 {
				_, err = e.Solve(f.ctx, CheckOptions{})
				require.NoError(t, err)
			}
			rs, err := e.Reset(f.ctx, ResetOptions{Step: 2})
			require.NoError(t, err)
			if tt.wantRestart {
				require.Equal(t, []string{"Deployment " + f.ns + "/web"}, rs.Restarted,
					"pods with sidecars, where the restart before step 2 made them without, restart")
			} else {
				require.Empty(t, rs.Restarted, "pods as the restart before step 2 made them stay")
			}
			require.Equal(t, "enabled", f.nsLabels()["istio-injection"], "the namespace keeps step 1's label")
			_, err = e.Stop(f.ctx)
			require.NoError(t, err)
		})
	}
}

// A reset that prunes a later step's Deployment returns once its pods are
// gone: a pods check right after it must not see them.
func TestIntegrationResetPrunesPodsToo(t *testing.T) {
	f := newFixture(t)
	f.addLab(map[string]string{"lab.yaml": `apiVersion: labctl.dev/v1alpha1
kind: Lab
metadata: {name: prune-pods, title: Prune pods}
spec:
  stack: minimal
  scope:
    namespaces: [NS]
    kinds: [apps/Deployment]
  steps:
    - id: deploy
      title: Deploy
      text: Deploy the tester.
      solution:
        - apply:
            inline: |
              {apiVersion: apps/v1, kind: Deployment, metadata: {name: tester},
               spec: {replicas: 2, selector: {matchLabels: {app: tester}},
                      template: {metadata: {labels: {app: tester}}, spec: {containers: [{name: t, image: t}]}}}}
        - wait: {pods: {namespace: NS, selector: app=tester, count: 2}, timeout: 1m}
      checks:
        - {name: tester-runs, pods: {namespace: NS, selector: app=tester, count: 2}}
`})
	e := f.engine()
	_, err := e.Start(f.ctx, "prune-pods", StartOptions{})
	require.NoError(t, err)
	_, err = e.Solve(f.ctx, CheckOptions{})
	require.NoError(t, err)
	rs, err := e.Reset(f.ctx, ResetOptions{Step: 1})
	require.NoError(t, err)
	require.Contains(t, rs.Pruned, "Deployment.apps "+f.ns+"/tester")
	pods, err := f.c.Kube.CoreV1().Pods(f.ns).List(f.ctx, metav1.ListOptions{LabelSelector: "app=tester"})
	require.NoError(t, err)
	require.Empty(t, pods.Items, "the pruned Deployment's pods are gone when reset returns")
	_, err = e.Stop(f.ctx)
	require.NoError(t, err)
}
