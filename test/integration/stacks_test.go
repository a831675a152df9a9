//go:build integration

package integration

import (
	"context"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestIntegrationAppStacks: every built-in app stack comes up on a simulated
// cluster with all its Deployments Available and its namespaces labelled as
// the tutorial expects (Travels starts uninjected), and goes away with down.
func TestIntegrationAppStacks(t *testing.T) {
	tests := []struct {
		stack string
		// namespaces and the mesh label each must (or must not) carry.
		labels map[string]map[string]string
		// apps lists Deployments that must exist, by namespace.
		apps map[string][]string
	}{
		{"bookinfo-ambient",
			map[string]map[string]string{"bookinfo": {"istio.io/dataplane-mode": "ambient"}},
			map[string][]string{"bookinfo": {"productpage-v1", "details-v1", "ratings-v1", "reviews-v1", "reviews-v2", "reviews-v3"}}},
		{"travels",
			map[string]map[string]string{"travel-agency": nil, "travel-portal": nil, "travel-control": nil},
			map[string][]string{"travel-agency": {"travels-v1", "hotels-v1", "mysqldb-v1"}, "travel-portal": {"viaggi", "voyages", "travels"}, "travel-control": {"control"}}},
		{"boutique",
			map[string]map[string]string{"boutique": {"istio-injection": "enabled"}},
			map[string][]string{"boutique": {"frontend", "loadgenerator"}}},
		{"minimal",
			map[string]map[string]string{"httpbin": {"istio-injection": "enabled"}},
			map[string][]string{"httpbin": {"httpbin", "fortio-deploy"}}},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			l := newLab(t, "st-"+tt.stack)
			t.Cleanup(func() { l.run(DownTimeout, "down") })
			l.must(UpTimeout, append(l.upArgs(), "--stack", tt.stack)...)
			s := l.status()
			l.requireReady(s, "kwok", true)
			c := connect(t, l.kubeconfig, s.Context)
			ctx := context.Background()
			for ns, want := range tt.labels {
				got, err := c.kube.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
				if err != nil {
					t.Fatalf("namespace %s: %v", ns, err)
				}
				if want == nil {
					for _, k := range []string{"istio-injection", "istio.io/dataplane-mode", "istio.io/rev"} {
						if v, ok := got.Labels[k]; ok {
							t.Errorf("namespace %s is enrolled in the mesh (%s=%s); the tutorial starts it uninjected", ns, k, v)
						}
					}
				}
				for k, v := range want {
					if got.Labels[k] != v {
						t.Errorf("namespace %s label %s=%q, want %q", ns, k, got.Labels[k], v)
					}
				}
			}
			for ns, names := range tt.apps {
				deps, err := c.kube.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
				if err != nil {
					t.Fatal(err)
				}
				have := map[string]bool{}
				for _, d := range deps.Items {
					have[d.Name] = true
					if !available(d) {
						t.Errorf("Deployment %s/%s is not Available", ns, d.Name)
					}
				}
				for _, n := range names {
					if !have[n] {
						t.Errorf("Deployment %s/%s missing (have %v)", ns, n, have)
					}
				}
			}
		})
	}
}

func available(d appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable && c.Status == "True" {
			return true
		}
	}
	return false
}
