package kwok

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// NodesReadyTimeout bounds the wait for the fake nodes to turn Ready; kwok
// marks them Ready within a second or two of their creation.
const NodesReadyTimeout = 90 * time.Second

const nodesPollEvery = 250 * time.Millisecond

// waitNodesReady waits until the cluster behind context kubeContext of
// kubeconfig has at least want Ready nodes.
func waitNodesReady(ctx context.Context, kubeconfig, kubeContext string, want int) error {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
	if err != nil {
		return fmt.Errorf("loading context %q from %s: %w", kubeContext, kubeconfig, err)
	}
	kc, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("creating a client for %q: %w", kubeContext, err)
	}
	var ready int
	var last error
	err = wait.PollUntilContextTimeout(ctx, nodesPollEvery, NodesReadyTimeout, true, func(ctx context.Context) (bool, error) {
		nodes, err := kc.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			last = err
			return false, nil
		}
		ready = countReady(nodes.Items)
		return ready >= want, nil
	})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("waiting for the fake nodes of %s: %w", kubeContext, context.Cause(ctx))
	}
	msg := fmt.Sprintf("simulated cluster %s has %d of %d fake nodes Ready after %s", kubeContext, ready, want, NodesReadyTimeout)
	if last != nil {
		msg += fmt.Sprintf(" (last error: %v)", last)
	}
	return fmt.Errorf("%s; check the kwok controller log in the cluster's logs directory, or run `labctl down` and `labctl up` again", msg)
}

func countReady(nodes []corev1.Node) int {
	n := 0
	for _, node := range nodes {
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				n++
			}
		}
	}
	return n
}
