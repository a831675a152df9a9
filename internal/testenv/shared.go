package testenv

import (
	"os"
	"testing"

	"github.com/labctl/labctl/internal/kube"
)

// SharedKubeconfigEnv names the kubeconfig of the simulated cluster that
// hack/kube-integration.sh starts for the packages' integration tests (kwok
// with its Exec and PortForward CRDs and one node).
const SharedKubeconfigEnv = "LABCTL_TEST_KUBECONFIG"

// SharedCluster returns clients for that cluster, or skips the test saying
// why; purpose completes "no cluster to ...".
func SharedCluster(t testing.TB, purpose string) *kube.Clients {
	t.Helper()
	kubeconfig := os.Getenv(SharedKubeconfigEnv)
	if kubeconfig == "" {
		t.Skipf("%s is not set: no cluster to %s (`make test-integration` starts one)", SharedKubeconfigEnv, purpose)
	}
	c, err := kube.Load(kubeconfig, "")
	if err != nil {
		t.Fatalf("%s=%s: %v", SharedKubeconfigEnv, kubeconfig, err)
	}
	return c
}
