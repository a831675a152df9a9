package checkenv

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/verify"
)

var (
	httpApp  = verify.Spec{Name: "h", HTTP: &verify.HTTPSpec{Target: verify.Target{App: "p"}}}
	httpPod  = verify.Spec{Name: "hp", HTTP: &verify.HTTPSpec{Target: verify.Target{URL: "http://x", From: &verify.PodRef{Namespace: "n", Pod: "p"}}}}
	splitFwd = verify.Spec{Name: "s", Split: &verify.SplitSpec{Target: verify.Target{PortForward: &verify.ForwardTarget{Namespace: "n", Service: "s", Port: 80}}}}
	pods     = verify.Spec{Name: "pods", Pods: &verify.PodsSpec{Namespace: "n"}}
	prom     = verify.Spec{Name: "p", PromQL: &verify.PromQLSpec{Query: "up"}}
	zipkin   = verify.Spec{Name: "z", Trace: &verify.TraceSpec{Backend: verify.BackendZipkin, Service: "s"}}
	jaeger   = verify.Spec{Name: "j", Trace: &verify.TraceSpec{Service: "s"}}
	kiali    = verify.Spec{Name: "k", Kiali: &verify.KialiSpec{}}
)

func TestNeedsCluster(t *testing.T) {
	all := URLs{Prometheus: "http://p", Kiali: "http://k", Jaeger: "http://j", Zipkin: "http://z"}
	tests := []struct {
		name  string
		specs []verify.Spec
		urls  URLs
		want  bool
	}{
		{"ingress request", []verify.Spec{httpApp}, URLs{}, false},
		{"request from a pod", []verify.Spec{httpApp, httpPod}, all, true},
		{"port-forwarded split", []verify.Spec{splitFwd}, all, true},
		{"pods", []verify.Spec{pods}, all, true},
		{"prometheus without a URL is port-forwarded", []verify.Spec{httpApp, prom}, URLs{}, true},
		{"prometheus with a URL", []verify.Spec{httpApp, prom}, URLs{Prometheus: "http://p"}, false},
		{"zipkin needs its own URL", []verify.Spec{zipkin}, URLs{Jaeger: "http://j"}, true},
		{"jaeger is the default backend", []verify.Spec{jaeger}, URLs{Jaeger: "http://j"}, false},
		{"every telemetry API with URLs", []verify.Spec{prom, zipkin, jaeger, kiali}, all, false},
		{"kiali without a URL", []verify.Spec{kiali}, URLs{Prometheus: "http://p"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, NeedsCluster(tt.specs, tt.urls))
		})
	}
}

func TestBuild(t *testing.T) {
	rec := &state.Environment{Name: "e", Simulated: true, IngressURL: "http://127.0.0.1:8080",
		Apps: []state.App{{Name: "productpage", Namespace: "bookinfo", Host: "bookinfo.example", Path: "/productpage"}}}
	called := 0
	clients := &kube.Clients{Kube: fake.NewClientset(), Dynamic: dynamicfake.NewSimpleDynamicClient(runtime.NewScheme())}
	connect := func(context.Context) (*kube.Clients, error) { called++; return clients, nil }

	env, err := Build(t.Context(), []verify.Spec{httpApp, prom}, Options{Record: rec, URLs: URLs{Prometheus: "http://prom:9090/"}, Clients: connect})
	require.NoError(t, err)
	assert.Zero(t, called, "no check needs the cluster: it is not contacted")
	assert.Nil(t, env.Kube)
	assert.True(t, env.Simulated)
	assert.Equal(t, "http://127.0.0.1:8080", env.Ingress)
	assert.Equal(t, verify.App{Host: "bookinfo.example", Path: "/productpage"}, env.Apps["productpage"])
	u, err := env.Prometheus(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "http://prom:9090", u)
	assert.Nil(t, env.Kiali, "no URL and no cluster: no endpoint")

	env, err = Build(t.Context(), []verify.Spec{pods}, Options{Record: rec, URLs: URLs{Ingress: "http://other"}, Clients: connect})
	require.NoError(t, err)
	assert.Equal(t, 1, called)
	assert.Same(t, clients.Kube, env.Kube)
	assert.NotNil(t, env.Mapper)
	assert.Equal(t, "http://other", env.Ingress, "the flag wins over the record")
	assert.Nil(t, env.Exec, "no REST config: no exec")
}

func TestBuildWithoutCluster(t *testing.T) {
	env, err := Build(t.Context(), []verify.Spec{httpApp}, Options{})
	require.NoError(t, err, "no record and no cluster is fine for ingress checks")
	assert.Empty(t, env.Apps)

	_, err = Build(t.Context(), []verify.Spec{pods}, Options{})
	require.ErrorContains(t, err, "the checks need the cluster")

	_, err = Build(t.Context(), []verify.Spec{pods}, Options{Clients: func(context.Context) (*kube.Clients, error) {
		return nil, errors.New("no kubeconfig")
	}})
	require.EqualError(t, err, "the checks need the cluster (pods, resource, exec, in-cluster or port-forwarded checks): no kubeconfig")
}
