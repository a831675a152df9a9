//go:build integration

package kwok_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/internal/testenv"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/cluster/kwok"
)

// deploymentTimeout bounds a Deployment becoming Available on fake nodes.
const deploymentTimeout = time.Minute

// TestIntegrationKwokLifecycle starts a real simulated cluster, runs a
// Deployment on its fake nodes, reuses it, and deletes it leaving no process,
// directory or kube context behind.
func TestIntegrationKwokLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bins, err := testenv.Binaries()
	require.NoError(t, err)
	cache := t.TempDir()
	p := kwok.New(kwok.Options{CacheDir: cache, Binaries: bins})
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	req := cluster.Request{Name: "itest", Kubeconfig: kc, Spec: stacks.Cluster{Workers: 1}}
	env := &state.Environment{Name: "itest", Kubeconfig: kc}
	t.Cleanup(func() { _ = p.Delete(context.Background(), env) })

	// A kubeconfig everyone may read must not stay so once the cluster's
	// admin key is in it.
	require.NoError(t, os.WriteFile(kc, []byte("apiVersion: v1\nkind: Config\n"), 0o644))
	require.NoError(t, os.Chmod(kc, 0o644))
	require.Empty(t, p.Preflight(ctx, req), "preflight findings")
	start := time.Now()
	cl, err := p.Ensure(ctx, req)
	require.NoError(t, err)
	t.Logf("cluster up in %s", time.Since(start))
	assert.True(t, cl.Created)
	assert.True(t, cl.Simulated)
	assert.Equal(t, "kwok-itest", cl.Context)

	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kc}, &clientcmd.ConfigOverrides{CurrentContext: cl.Context}).ClientConfig()
	require.NoError(t, err)
	kube := kubernetes.NewForConfigOrDie(cfg)
	nodes, err := kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, nodes.Items, 2, "1 + workers fake nodes")
	requireLoopbackOnly(t, kwok.ClusterDir(p.Workdir(), "itest"))
	requireOwnerOnly(t, kc, kwok.ClusterDir(p.Workdir(), "itest"))

	replicas := int32(3)
	labels := map[string]string{"app": "web"}
	_, err = kube.AppsV1().Deployments("default").Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "registry.invalid/web:1"}}},
			},
		},
	}, metav1.CreateOptions{})
	require.NoError(t, err)
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, deploymentTimeout, true, func(ctx context.Context) (bool, error) {
		d, err := kube.AppsV1().Deployments("default").Get(ctx, "web", metav1.GetOptions{})
		return err == nil && d.Status.AvailableReplicas == replicas, nil
	})
	require.NoError(t, err, "Deployment web never had %d available replicas on the fake nodes", replicas)

	// Reusing a running cluster keeps its processes (how quickly is
	// hack/bench-up.sh's to measure).
	dir := kwok.ClusterDir(p.Workdir(), "itest")
	readPids := func() map[string]string {
		t.Helper()
		ents, err := os.ReadDir(filepath.Join(dir, "pids"))
		require.NoError(t, err)
		out := map[string]string{}
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, "pids", e.Name()))
			require.NoError(t, err)
			out[e.Name()] = strings.TrimSpace(string(b))
		}
		return out
	}
	pids := readPids()
	require.NotEmpty(t, pids)
	again, err := p.Ensure(ctx, req)
	require.NoError(t, err)
	assert.False(t, again.Created, "second Ensure reuses the cluster")
	assert.Equal(t, pids, readPids(), "second Ensure keeps the running processes")

	// A control-plane process that died is reported at once, with its log,
	// and the next Ensure brings it back.
	b, err := os.ReadFile(filepath.Join(dir, "pids", "kwok-controller.pid"))
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		probs, err := p.Health(ctx, env)
		return len(probs) > 0, err
	})
	require.NoError(t, err, "Health never saw kwok-controller %d gone", pid)
	probs, err := p.Health(ctx, env)
	require.NoError(t, err)
	require.Len(t, probs, 1)
	assert.Equal(t, "kwok-controller", probs[0].Component)
	assert.Equal(t, filepath.Join(dir, "logs", "kwok-controller.log"), probs[0].Log)
	assert.FileExists(t, probs[0].Log)
	_, err = p.Ensure(ctx, req)
	require.NoError(t, err, "Ensure restarts the cluster")
	probs, err = p.Health(ctx, env)
	require.NoError(t, err)
	assert.Empty(t, probs, "every process runs again")
	requireLoopbackOnly(t, dir)

	require.NoError(t, p.Delete(ctx, env))
	assert.NoDirExists(t, dir)
	got, err := clientcmd.LoadFromFile(kc)
	require.NoError(t, err)
	assert.NotContains(t, got.Contexts, "kwok-itest")
	_, err = kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	assert.Error(t, err, "the apiserver is gone")
}

// requireLoopbackOnly fails on any socket a process of the cluster in dir
// listens on that another machine could reach.
func requireLoopbackOnly(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "pids"))
	require.NoError(t, err)
	var pids []int
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, "pids", e.Name()))
		require.NoError(t, err)
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		require.NoError(t, err, "pid file %s", e.Name())
		pids = append(pids, pid)
	}
	require.NotEmpty(t, pids, "no pid files in %s", dir)
	socks, err := testenv.ListeningSockets(pids)
	require.NoError(t, err)
	require.NotEmpty(t, socks, "the cluster's processes %v listen nowhere", pids)
	for _, s := range socks {
		assert.True(t, s.Loopback(), "%s is reachable from other machines", s)
	}
}

// requireOwnerOnly fails when the kubeconfig, the cluster directory or any
// private key or kubeconfig in it can be read by other users.
func requireOwnerOnly(t *testing.T, kubeconfig, dir string) {
	t.Helper()
	fi, err := os.Stat(kubeconfig)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "kubeconfig %s", kubeconfig)
	fi, err = os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "cluster directory %s", dir)
	keys := 0
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if !strings.HasSuffix(name, ".key") && !strings.Contains(name, "kubeconfig") {
			return nil
		}
		keys++
		fi, err := d.Info()
		if err != nil {
			return err
		}
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "%s holds a credential", path)
		return nil
	})
	require.NoError(t, err)
	assert.NotZero(t, keys, "no private key or kubeconfig found in %s", dir)
}

// TestIntegrationKwokSideBySide starts two environments at the same time
// from one cache directory, as `labctl up --name a` and `--name b` do:
// each must get its own ports and answer with its own CA.
func TestIntegrationKwokSideBySide(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bins, err := testenv.Binaries()
	require.NoError(t, err)
	cache := t.TempDir()
	names := []string{"side-a", "side-b"}
	errs := make([]error, len(names))
	kcs := make([]string, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		// One provider each: two labctl processes share nothing but the cache.
		p := kwok.New(kwok.Options{CacheDir: cache, Binaries: bins})
		kcs[i] = filepath.Join(t.TempDir(), "kubeconfig")
		env := &state.Environment{Name: name, Kubeconfig: kcs[i]}
		t.Cleanup(func() { _ = p.Delete(context.Background(), env) })
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = p.Ensure(ctx, cluster.Request{Name: name, Kubeconfig: kcs[i]})
		}()
	}
	wg.Wait()
	for i, name := range names {
		require.NoError(t, errs[i], "starting %s next to the other", name)
		cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
			&clientcmd.ClientConfigLoadingRules{ExplicitPath: kcs[i]}, &clientcmd.ConfigOverrides{}).ClientConfig()
		require.NoError(t, err)
		_, err = kubernetes.NewForConfigOrDie(cfg).CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		require.NoError(t, err, "%s answers with its own CA", name)
		requireLoopbackOnly(t, kwok.ClusterDir(kwok.Workdir(cache), name))
	}
}

// istiodTimeout bounds istiod's CA ConfigMap appearing.
const istiodTimeout = 2 * time.Minute

// TestIntegrationKwokIstiod runs the real istiod next to a simulated
// control plane: it gets ready, listens on loopback only, makes its CA
// root ConfigMap in the cluster, is reported when it dies, and Delete
// leaves no istiod process.
func TestIntegrationKwokIstiod(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bins, err := testenv.Binaries()
	require.NoError(t, err)
	dir, err := testenv.BinDir()
	require.NoError(t, err)
	bins[kwok.IstiodBinary] = filepath.Join(dir, kwok.IstiodBinary)
	if _, err := os.Stat(bins[kwok.IstiodBinary]); err != nil {
		t.Skipf("no istiod to run: %v (`make testenv` builds pilot-discovery)", err)
	}
	p := kwok.New(kwok.Options{CacheDir: t.TempDir(), Binaries: bins})
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	env := &state.Environment{Name: "istiod", Kubeconfig: kc}
	t.Cleanup(func() { _ = p.Delete(context.Background(), env) })
	cl, err := p.Ensure(ctx, cluster.Request{Name: env.Name, Kubeconfig: kc})
	require.NoError(t, err)
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kc}, &clientcmd.ConfigOverrides{CurrentContext: cl.Context}).ClientConfig()
	require.NoError(t, err)
	kube := kubernetes.NewForConfigOrDie(cfg)
	_, err = kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: kwok.IstiodNamespace}}, metav1.CreateOptions{})
	require.NoError(t, err)

	start := time.Now()
	ports, err := p.StartIstiod(ctx, env.Name, kwok.IstiodOptions{})
	require.NoError(t, err)
	t.Logf("istiod ready in %s; webhooks at %s and %s", time.Since(start).Round(time.Millisecond), ports.InjectionURL(), ports.ValidationURL())
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, istiodTimeout, true, func(ctx context.Context) (bool, error) {
		_, err := kube.CoreV1().ConfigMaps("default").Get(ctx, "istio-ca-root-cert", metav1.GetOptions{})
		return err == nil, nil
	})
	require.NoError(t, err, "istiod never wrote istio-ca-root-cert into namespace default")

	dir = kwok.ClusterDir(p.Workdir(), env.Name)
	b, err := os.ReadFile(filepath.Join(kwok.IstiodDir(dir), "istiod.json"))
	require.NoError(t, err)
	var rec struct{ PID int }
	require.NoError(t, json.Unmarshal(b, &rec))
	socks, err := testenv.ListeningSockets([]int{rec.PID})
	require.NoError(t, err)
	require.NotEmpty(t, socks)
	for _, s := range socks {
		assert.True(t, s.Loopback(), "istiod: %s is reachable from other machines", s)
	}
	again, err := p.StartIstiod(ctx, env.Name, kwok.IstiodOptions{})
	require.NoError(t, err)
	assert.Equal(t, ports, again, "a running istiod is kept")

	require.NoError(t, syscall.Kill(rec.PID, syscall.SIGKILL))
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 10*time.Second, true, func(context.Context) (bool, error) {
		probs, err := p.Health(ctx, env)
		return len(probs) == 1 && probs[0].Component == "istiod", err
	})
	require.NoError(t, err, "Health never reported the killed istiod")

	_, err = p.StartIstiod(ctx, env.Name, kwok.IstiodOptions{})
	require.NoError(t, err, "a crashed istiod is started again")
	b, err = os.ReadFile(filepath.Join(kwok.IstiodDir(dir), "istiod.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rec))
	require.NoError(t, p.Delete(ctx, env))
	assert.False(t, running(rec.PID), "istiod %d survived Delete", rec.PID)
}

// running reports whether pid is a live process: not gone, not a zombie
// (this test started istiod, so it is its parent until it is reaped).
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i > 0 && i+2 < len(stat) && stat[i+2] != 'Z' && stat[i+2] != 'X'
}
