package provision

import (
	"context"
	"fmt"
	"net"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/install"
)

// setIngress records how the host reaches the ingress gateway and each app.
// On kind the gateway's node ports are mapped to 127.0.0.1; elsewhere the
// gateway Service's load balancer address is used when it has one. Without
// either, apps are reached with `labctl open app` (a port-forward).
func setIngress(ctx context.Context, env *state.Environment, s *stacks.Stack, cl *cluster.Cluster, c *kube.Clients) {
	env.IngressURL = ""
	env.Apps = nil
	if s.Spec.Mesh.Ingress.Disabled {
		return
	}
	ing := cl.Ingress
	switch {
	case ing.ServiceType == "NodePort" && ing.HTTPPort > 0:
		host := ing.Host
		if host == "" {
			host = "127.0.0.1"
		}
		env.IngressURL = "http://" + net.JoinHostPort(host, strconv.Itoa(ing.HTTPPort))
	default:
		svc, err := c.Kube.CoreV1().Services(install.IngressNamespace).Get(ctx, install.IngressRelease, metav1.GetOptions{})
		if err == nil {
			for _, lb := range svc.Status.LoadBalancer.Ingress {
				addr := lb.IP
				if addr == "" {
					addr = lb.Hostname
				}
				if addr != "" {
					env.IngressURL = "http://" + addr
					break
				}
			}
		}
	}
	for _, a := range s.Spec.Apps {
		if a.Ingress == nil {
			continue
		}
		app := state.App{Name: a.Name, Namespace: a.Namespace, Host: a.Ingress.Host, Path: a.Ingress.Path}
		// Both ingress modes route through the istio-ingress gateway (a
		// Gateway API Gateway is bound to it), so the URL is the same.
		if env.IngressURL != "" {
			app.URL = fmt.Sprintf("%s%s", env.IngressURL, a.Ingress.Path)
		}
		env.Apps = append(env.Apps, app)
	}
}
