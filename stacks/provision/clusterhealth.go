package provision

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks/cluster"
)

// clusterProblems lists what is down in the cluster itself: processes the
// provider runs (cluster.HealthChecker) and, when the API server answers
// (c non-nil), nodes that are not Ready. Anything that fails to be checked
// becomes a problem too: status must not hide it.
func (p *Provisioner) clusterProblems(ctx context.Context, env *state.Environment, c *kube.Clients) []cluster.Problem {
	var out []cluster.Problem
	if pr, err := p.provider(env.Provider); err == nil {
		if hc, ok := pr.(cluster.HealthChecker); ok {
			probs, err := hc.Health(ctx, env)
			if err != nil {
				probs = append(probs, cluster.Problem{Component: env.Provider, Message: err.Error()})
			}
			for i := range probs {
				probs[i].Message += ": run `labctl up --name " + env.Name + "` to restart it"
			}
			out = append(out, probs...)
		}
	}
	if c == nil {
		return out
	}
	nodes, err := c.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return append(out, cluster.Problem{Component: "nodes", Message: "listing nodes: " + err.Error()})
	}
	for _, n := range nodes.Items {
		if msg, ok := notReady(n); ok {
			out = append(out, cluster.Problem{Component: "node/" + n.Name, Message: msg})
		}
	}
	return out
}

// notReady says why a node is not Ready, if it is not.
func notReady(n corev1.Node) (string, bool) {
	for _, c := range n.Status.Conditions {
		if c.Type != corev1.NodeReady {
			continue
		}
		if c.Status == corev1.ConditionTrue {
			return "", false
		}
		return fmt.Sprintf("NotReady since %s: %s %s", c.LastTransitionTime.UTC().Format("15:04:05"), c.Reason, c.Message), true
	}
	return "NotReady: the node reports no Ready condition", true
}
