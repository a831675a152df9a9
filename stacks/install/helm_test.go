package install

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	kubefake "helm.sh/helm/v4/pkg/kube/fake"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
)

// memoryHelm is a Helm on Helm's in-memory release storage and its fake
// kube client: real install/upgrade/rollback logic, no cluster.
func memoryHelm(t *testing.T, kc *kubefake.FailingKubeClient) (*Helm, *storage.Storage) {
	t.Helper()
	store := storage.Init(driver.NewMemory())
	if kc == nil {
		kc = &kubefake.FailingKubeClient{PrintingKubeClient: kubefake.PrintingKubeClient{Out: io.Discard}}
	}
	return &Helm{
		Charts: &ChartSource{CacheDir: t.TempDir()},
		Config: func(string) (*action.Configuration, error) {
			cfg := action.NewConfiguration()
			cfg.Releases = store
			cfg.KubeClient = kc
			cfg.Capabilities = common.DefaultCapabilities
			return cfg, nil
		},
	}, store
}

func httpbinComponent(vals map[string]any) Component {
	return Component{Name: "httpbin", Group: GroupApp, Kind: KindHelm, Release: "httpbin", Namespace: "httpbin",
		Chart: ChartRef{Name: "httpbin", Embedded: true}, Values: vals, Timeout: time.Minute}
}

func TestApplyInstallSkipUpgrade(t *testing.T) {
	h, store := memoryHelm(t, nil)
	ctx := context.Background()

	res, err := h.Apply(ctx, httpbinComponent(map[string]any{"replicas": 1}))
	require.NoError(t, err)
	require.Equal(t, ActionInstalled, res.Action)
	require.Equal(t, 1, res.Release.Version)
	require.NotEmpty(t, res.Release.Labels[DigestLabel])

	res, err = h.Apply(ctx, httpbinComponent(map[string]any{"replicas": 1}))
	require.NoError(t, err)
	require.Equal(t, ActionUnchanged, res.Action, "same chart and values: nothing to do")
	hist, err := store.History("httpbin")
	require.NoError(t, err)
	require.Len(t, hist, 1, "a skip must not create a revision")

	res, err = h.Apply(ctx, httpbinComponent(map[string]any{"replicas": 2}))
	require.NoError(t, err)
	require.Equal(t, ActionUpgraded, res.Action)
	require.Equal(t, 2, res.Release.Version)

	res, err = h.Apply(ctx, httpbinComponent(map[string]any{"replicas": 2}))
	require.NoError(t, err)
	require.Equal(t, ActionUnchanged, res.Action)
}

func TestApplyResumesInterruptedInstall(t *testing.T) {
	h, store := memoryHelm(t, nil)
	ctx := context.Background()
	res, err := h.Apply(ctx, httpbinComponent(nil))
	require.NoError(t, err)
	// Make it look like Ctrl-C hit in the middle of the install.
	rel := res.Release
	rel.Info.Status = rcommon.StatusPendingInstall
	require.NoError(t, store.Update(rel))

	res, err = h.Apply(ctx, httpbinComponent(nil))
	require.NoError(t, err)
	require.Equal(t, ActionResumed, res.Action)
	require.Equal(t, rcommon.StatusDeployed, res.Release.Info.Status)
}

func TestApplyResumesInterruptedUpgrade(t *testing.T) {
	h, store := memoryHelm(t, nil)
	ctx := context.Background()
	_, err := h.Apply(ctx, httpbinComponent(map[string]any{"replicas": 1}))
	require.NoError(t, err)
	res, err := h.Apply(ctx, httpbinComponent(map[string]any{"replicas": 2}))
	require.NoError(t, err)
	rel := res.Release
	rel.Info.Status = rcommon.StatusPendingUpgrade
	require.NoError(t, store.Update(rel))

	res, err = h.Apply(ctx, httpbinComponent(map[string]any{"replicas": 2}))
	require.NoError(t, err)
	require.Equal(t, ActionResumed, res.Action)
	require.Equal(t, rcommon.StatusDeployed, res.Release.Info.Status)
}

func TestApplyReportsFailures(t *testing.T) {
	kc := &kubefake.FailingKubeClient{PrintingKubeClient: kubefake.PrintingKubeClient{Out: io.Discard}, ConnectionError: errors.New("dial tcp 127.0.0.1:6443: connect: connection refused")}
	h, _ := memoryHelm(t, kc)
	_, err := h.Apply(context.Background(), httpbinComponent(nil))
	require.ErrorContains(t, err, "reading Helm history of release httpbin/httpbin")
	require.ErrorContains(t, err, "connection refused")

	// A current release whose resources are not ready is not "unchanged".
	kc = &kubefake.FailingKubeClient{PrintingKubeClient: kubefake.PrintingKubeClient{Out: io.Discard}}
	h, _ = memoryHelm(t, kc)
	_, err = h.Apply(context.Background(), httpbinComponent(nil))
	require.NoError(t, err)
	kc.WaitError = errors.New("context deadline exceeded")
	_, err = h.Apply(context.Background(), httpbinComponent(nil))
	require.ErrorContains(t, err, "release httpbin/httpbin is installed but not ready: context deadline exceeded")
}

func TestDecide(t *testing.T) {
	rel := func(status rcommon.Status, digest string) *release.Release {
		return &release.Release{Info: &release.Info{Status: status}, Labels: map[string]string{DigestLabel: digest}}
	}
	tests := []struct {
		name string
		last *release.Release
		want Decision
	}{
		{"no release", nil, DecideInstall},
		{"deployed, same digest", rel(rcommon.StatusDeployed, "d1"), DecideSkip},
		{"deployed, new digest", rel(rcommon.StatusDeployed, "d0"), DecideUpgrade},
		{"failed", rel(rcommon.StatusFailed, "d1"), DecideUpgrade},
		{"pending install (interrupted)", rel(rcommon.StatusPendingInstall, "d1"), DecideReinstall},
		{"pending upgrade (interrupted)", rel(rcommon.StatusPendingUpgrade, "d1"), DecideRollbackToUpgrade},
		{"pending rollback", rel(rcommon.StatusPendingRollback, "d1"), DecideRollbackToUpgrade},
		{"uninstalling", rel(rcommon.StatusUninstalling, "d1"), DecideReinstall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Decide(tt.last, "d1"))
		})
	}
}
