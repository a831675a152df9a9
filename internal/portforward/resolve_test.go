package portforward

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
)

func TestResolve(t *testing.T) {
	sel := map[string]string{"app": "kiali"}
	named := corev1.ContainerPort{Name: "api-port", ContainerPort: 20001}
	cases := []struct {
		name    string
		objects []runtime.Object
		port    int32
		want    Backend
		wantErr string
	}{
		{
			name: "numeric targetPort, first port",
			objects: []runtime.Object{
				service("istio-system", "kiali", sel, svcPort(20001, intstr.FromInt32(20001)), svcPort(9090, intstr.FromInt32(9090))),
				pod("istio-system", "kiali-1", sel, corev1.PodRunning, true),
			},
			want: Backend{Pod: "kiali-1", PodPort: 20001, ServicePort: 20001},
		},
		{
			name: "second port by number",
			objects: []runtime.Object{
				service("istio-system", "kiali", sel, svcPort(20001, intstr.FromInt32(20001)), svcPort(9090, intstr.FromInt32(9091))),
				pod("istio-system", "kiali-1", sel, corev1.PodRunning, true),
			},
			port: 9090,
			want: Backend{Pod: "kiali-1", PodPort: 9091, ServicePort: 9090},
		},
		{
			name: "named targetPort resolved on the pod",
			objects: []runtime.Object{
				service("istio-system", "kiali", sel, svcPort(80, intstr.FromString("api-port"))),
				pod("istio-system", "kiali-1", sel, corev1.PodRunning, true, named),
			},
			want: Backend{Pod: "kiali-1", PodPort: 20001, ServicePort: 80},
		},
		{
			name: "targetPort 0 means the service port",
			objects: []runtime.Object{
				service("istio-system", "kiali", sel, svcPort(3000, intstr.IntOrString{})),
				pod("istio-system", "kiali-1", sel, corev1.PodRunning, true),
			},
			want: Backend{Pod: "kiali-1", PodPort: 3000, ServicePort: 3000},
		},
		{
			name: "skips pods that are not Ready",
			objects: []runtime.Object{
				service("istio-system", "kiali", sel, svcPort(20001, intstr.FromInt32(20001))),
				pod("istio-system", "kiali-a", sel, corev1.PodRunning, false),
				pod("istio-system", "kiali-b", sel, corev1.PodPending, false),
				pod("istio-system", "kiali-c", sel, corev1.PodRunning, true),
			},
			want: Backend{Pod: "kiali-c", PodPort: 20001, ServicePort: 20001},
		},
		{
			name:    "service missing",
			wantErr: "service istio-system/kiali not found",
		},
		{
			name:    "no such service port",
			objects: []runtime.Object{service("istio-system", "kiali", sel, svcPort(20001, intstr.FromInt32(20001)))},
			port:    1234,
			wantErr: "has no port 1234 (it has 20001)",
		},
		{
			name:    "no selector",
			objects: []runtime.Object{service("istio-system", "kiali", nil, svcPort(20001, intstr.FromInt32(20001)))},
			wantErr: "has no pod selector",
		},
		{
			name: "no Ready pod within the timeout",
			objects: []runtime.Object{
				service("istio-system", "kiali", sel, svcPort(20001, intstr.FromInt32(20001))),
				pod("istio-system", "kiali-a", sel, corev1.PodPending, false),
			},
			wantErr: "no Ready pod behind service istio-system/kiali (selector app=kiali)",
		},
		{
			name:    "no pods at all",
			objects: []runtime.Object{service("istio-system", "kiali", sel, svcPort(20001, intstr.FromInt32(20001)))},
			wantErr: "no pods match the selector",
		},
		{
			name: "unknown named port",
			objects: []runtime.Object{
				service("istio-system", "kiali", sel, svcPort(80, intstr.FromString("web"))),
				pod("istio-system", "kiali-1", sel, corev1.PodRunning, true, named),
			},
			wantErr: `targetPort "web" of port 80 names no container port of pod kiali-1`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := New(fake.NewClientset(tc.objects...), nil)
			got, err := f.resolve(context.Background(), "istio-system", "kiali", tc.port, 200*time.Millisecond)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestResolveStopsOnCancel(t *testing.T) {
	sel := map[string]string{"app": "kiali"}
	f := New(fake.NewClientset(
		service("istio-system", "kiali", sel, svcPort(20001, intstr.FromInt32(20001))),
	), nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.resolve(ctx, "istio-system", "kiali", 0, time.Minute)
	assert.ErrorIs(t, err, context.Canceled)
}
