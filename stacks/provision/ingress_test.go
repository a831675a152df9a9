package provision

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/install"
)

// Apps are reached through the istio-ingress gateway in both ingress modes:
// a Gateway API Gateway is bound to it (issue 12 item 4), so its URL is the
// mapped port too.
func TestSetIngress(t *testing.T) {
	kindIngress := cluster.Ingress{ServiceType: "NodePort", Host: "127.0.0.1", HTTPPort: 8080, NodePortHTTP: 30080}
	lbSvc := func(ip string) *corev1.Service {
		s := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: install.IngressRelease, Namespace: install.IngressNamespace}}
		if ip != "" {
			s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: ip}}
		}
		return s
	}
	cases := []struct {
		name     string
		set      []string
		ing      cluster.Ingress
		svc      *corev1.Service
		wantBase string
		wantURL  string
	}{
		{"kind, istio ingress", nil, kindIngress, nil, "http://127.0.0.1:8080", "http://127.0.0.1:8080/productpage"},
		{"kind, Gateway API ingress", []string{"mesh.ingress.mode=gatewayapi"}, kindIngress, nil, "http://127.0.0.1:8080", "http://127.0.0.1:8080/productpage"},
		{"load balancer, Gateway API ingress", []string{"mesh.ingress.mode=gatewayapi"}, cluster.Ingress{ServiceType: "LoadBalancer"}, lbSvc("203.0.113.7"), "http://203.0.113.7", "http://203.0.113.7/productpage"},
		{"load balancer without an address", nil, cluster.Ingress{ServiceType: "LoadBalancer"}, lbSvc(""), "", ""},
		{"ingress disabled", []string{"mesh.ingress.disabled=true"}, kindIngress, nil, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := stacks.Load("bookinfo", stacks.Options{Sets: tc.set})
			if err != nil {
				t.Fatal(err)
			}
			kc := fake.NewClientset()
			if tc.svc != nil {
				kc = fake.NewClientset(tc.svc)
			}
			env := &state.Environment{}
			setIngress(context.Background(), env, s, &cluster.Cluster{Ingress: tc.ing}, &kube.Clients{Kube: kc})
			if env.IngressURL != tc.wantBase {
				t.Errorf("ingress URL %q, want %q", env.IngressURL, tc.wantBase)
			}
			var got string
			for _, a := range env.Apps {
				if a.Name == "bookinfo" {
					got = a.URL
				}
			}
			if got != tc.wantURL {
				t.Errorf("bookinfo URL %q, want %q (apps %+v)", got, tc.wantURL, env.Apps)
			}
		})
	}
}
