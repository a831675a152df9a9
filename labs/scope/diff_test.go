package scope

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func obj(kind, ns, name string, extra map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{}}
	for k, v := range extra {
		u.Object[k] = v
	}
	api := "v1"
	if kind == "Deployment" {
		api = "apps/v1"
	}
	u.SetAPIVersion(api)
	u.SetKind(kind)
	u.SetNamespace(ns)
	u.SetName(name)
	return u
}

func snap(objs ...*unstructured.Unstructured) *Snapshot {
	s := &Snapshot{}
	for _, u := range objs {
		s.Objects = append(s.Objects, Object{Key: KeyOf(u), APIVersion: u.GetAPIVersion(), Content: Normalize(u)})
	}
	return s
}

func TestNormalizeDropsServerFields(t *testing.T) {
	u := obj("Service", "demo", "web", map[string]any{
		"status": map[string]any{"loadBalancer": map[string]any{}},
		"spec":   map[string]any{"clusterIP": "10.0.0.1", "clusterIPs": []any{"10.0.0.1"}, "ports": []any{map[string]any{"port": int64(80)}}},
	})
	u.SetResourceVersion("12")
	u.SetUID("abc")
	u.SetGeneration(3)
	u.SetAnnotations(map[string]string{"kubectl.kubernetes.io/last-applied-configuration": "{}"})
	u.SetManagedFields(nil)
	got := Normalize(u)
	require.Equal(t, map[string]any{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": "web", "namespace": "demo"},
		"spec":     map[string]any{"ports": []any{map[string]any{"port": int64(80)}}},
	}, got)
	require.Equal(t, "10.0.0.1", u.Object["spec"].(map[string]any)["clusterIP"], "the input is not changed")
}

func TestDiff(t *testing.T) {
	cm := func(v string) *unstructured.Unstructured {
		return obj("ConfigMap", "demo", "cfg", map[string]any{"data": map[string]any{"k": v}})
	}
	dep := func(replicas int64, restarted string) *unstructured.Unstructured {
		tmpl := map[string]any{}
		if restarted != "" {
			tmpl["metadata"] = map[string]any{"annotations": map[string]any{"kubectl.kubernetes.io/restartedAt": restarted}}
		}
		return obj("Deployment", "demo", "web", map[string]any{"spec": map[string]any{"replicas": replicas, "template": tmpl}})
	}
	tests := []struct {
		name          string
		before, after *Snapshot
		want          []string
	}{
		{"same", snap(cm("a"), dep(1, "")), snap(dep(1, ""), cm("a")), nil},
		{"restart only", snap(dep(1, "")), snap(dep(1, "2026-12-02T06:00:00Z")), nil},
		{"changed", snap(cm("a"), dep(1, "")), snap(cm("b"), dep(3, "")),
			[]string{"changed ConfigMap demo/cfg (data.k)", "changed Deployment.apps demo/web (spec.replicas)"}},
		{"created and deleted", snap(cm("a")), snap(obj("ConfigMap", "demo", "new", nil)),
			[]string{"deleted ConfigMap demo/cfg", "created ConfigMap demo/new"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range Diff(tt.before, tt.after) {
				got = append(got, c.String())
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestNumbersCompareByValue(t *testing.T) {
	require.True(t, Equal(map[string]any{"a": int64(3), "l": []any{int64(1)}}, map[string]any{"a": float64(3), "l": []any{float64(1)}}))
	require.False(t, Equal(map[string]any{"a": int64(3)}, map[string]any{"a": float64(3.5)}))
	require.False(t, Equal(map[string]any{"l": []any{"x"}}, map[string]any{"l": []any{"x", "y"}}))
}

func TestFieldsAreBounded(t *testing.T) {
	a, b := map[string]any{}, map[string]any{}
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		a[k] = 1
		b[k] = 2
	}
	f := Fields(a, b)
	require.Len(t, f, maxFields+1)
	require.Equal(t, "2 more", f[maxFields])
}

func TestBuiltinObjectsAreLeftOut(t *testing.T) {
	require.True(t, Builtin(obj("ConfigMap", "demo", "kube-root-ca.crt", nil)))
	require.True(t, Builtin(obj("ServiceAccount", "demo", "default", nil)))
	require.True(t, Builtin(obj("Secret", "demo", "tok", map[string]any{"type": "kubernetes.io/service-account-token"})))
	require.False(t, Builtin(obj("ConfigMap", "demo", "cfg", nil)))
}
