package kwok

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const (
	// APIServerReadyTimeout bounds the wait, after kwokctl has started or
	// restarted a cluster, until its kube-apiserver answers /readyz.
	// kwokctl can return from restarting a stopped cluster before the
	// apiserver listens again.
	APIServerReadyTimeout = time.Minute
	apiServerPollEvery    = 200 * time.Millisecond
)

// waitAPIServer polls the cluster's /readyz through the kubeconfig kwokctl
// wrote, until it answers ok or APIServerReadyTimeout passes.
func waitAPIServer(ctx context.Context, dir string) error {
	kc := filepath.Join(dir, kwokctlKubeconfig)
	cfg, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		return fmt.Errorf("reading the simulated cluster's kubeconfig %s: %w", kc, err)
	}
	cfg.Timeout = 5 * time.Second
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("client for the simulated cluster (%s): %w", kc, err)
	}
	var last error
	err = wait.PollUntilContextTimeout(ctx, apiServerPollEvery, APIServerReadyTimeout, true, func(ctx context.Context) (bool, error) {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			last = err
			return false, nil
		}
		if string(body) != "ok" {
			last = fmt.Errorf("/readyz said %q", body)
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("the simulated cluster's kube-apiserver did not become ready within %s (last: %v); its log is %s: %w",
			APIServerReadyTimeout, last, filepath.Join(dir, "logs", "kube-apiserver.log"), err)
	}
	return nil
}
