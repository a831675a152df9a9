package kwok

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// NodesTimeout bounds the wait for the fake nodes to be listed through the
// context the provider wrote.
const NodesTimeout = 90 * time.Second

const nodesPollEvery = 250 * time.Millisecond

// waitNodes waits until the cluster behind context kubeContext of
// kubeconfig lists at least want nodes, which proves the written context
// works. It does not wait for them to turn Ready: kwok does that within a
// second or two of its start, while the first chart (CRDs only) installs,
// and every Helm install waits for its pods anyway.
func waitNodes(ctx context.Context, kubeconfig, kubeContext string, want int) error {
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
	var have int
	var last error
	err = wait.PollUntilContextTimeout(ctx, nodesPollEvery, NodesTimeout, true, func(ctx context.Context) (bool, error) {
		nodes, err := kc.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			last = err
			return false, nil
		}
		have = len(nodes.Items)
		return have >= want, nil
	})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("waiting for the fake nodes of %s: %w", kubeContext, context.Cause(ctx))
	}
	msg := fmt.Sprintf("simulated cluster %s lists %d of %d fake nodes after %s", kubeContext, have, want, NodesTimeout)
	if last != nil {
		msg += fmt.Sprintf(" (last error: %v)", last)
	}
	return fmt.Errorf("%s; check the kwok controller log in the cluster's logs directory, or run `labctl down` and `labctl up` again", msg)
}
