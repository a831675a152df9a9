package kind

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kind/pkg/apis/config/defaults"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
)

func request(workers int) cluster.Request {
	return cluster.Request{Name: "labctl", Spec: stacks.Cluster{Workers: workers}, Kubeconfig: "/tmp/kc"}
}

func TestEnsureCreates(t *testing.T) {
	fb := newFakeBackend()
	p, _ := testProvider(t, fb, Options{DefaultNodeImage: testImage})
	req := request(2)
	req.Spec.RegistryMirror = testMirror

	c, err := p.Ensure(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, &cluster.Cluster{
		Kubeconfig: "/tmp/kc", Context: "kind-labctl", Created: true, Owned: true,
		Ingress: cluster.Ingress{ServiceType: "NodePort", Host: "127.0.0.1", HTTPPort: 8080, HTTPSPort: 8443, NodePortHTTP: 30080, NodePortHTTPS: 30443,
			NodeSelector: map[string]string{"ingress-ready": "true"}},
	}, c)
	assert.Equal(t, []string{"list", "create labctl"}, fb.Calls())

	require.Len(t, fb.created, 1)
	cr := fb.created[0]
	assert.Equal(t, testImage, cr.NodeImage)
	assert.Equal(t, WaitForReady, cr.WaitForReady)
	assert.Equal(t, "/tmp/kc", cr.Kubeconfig)
	assert.Len(t, cr.Config.Nodes, 3)

	nodes := fb.clusters["labctl"]
	var m marker
	require.NoError(t, json.Unmarshal([]byte(nodes[0].files[markerPath]), &m))
	assert.Equal(t, "labctl", m.Environment)
	assert.Equal(t, 8080, m.Ingress.HTTPPort)
	for _, n := range nodes {
		assert.Equal(t, HostsTOML("docker.io", testMirror), n.files["/etc/containerd/certs.d/docker.io/hosts.toml"], n.name)
		assert.Len(t, n.files, len(MirroredRegistries())+map[bool]int{true: 1}[n.role == "control-plane"], n.name)
	}
	assert.False(t, p.leftover("labctl"), "the create-in-progress marker is removed")
}

func TestEnsureNodeImage(t *testing.T) {
	for _, tc := range []struct {
		name, spec, dflt, want string
	}{
		{"kind default", "", "", defaults.Image},
		{"version lock", "", "kindest/node:v1.36.1", "kindest/node:v1.36.1"},
		{"stack pin wins", "kindest/node:v1.35.0", "kindest/node:v1.36.1", "kindest/node:v1.35.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fb := newFakeBackend()
			p, _ := testProvider(t, fb, Options{DefaultNodeImage: tc.dflt})
			req := request(0)
			req.Spec.NodeImage = tc.spec
			_, err := p.Ensure(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, tc.want, fb.created[0].NodeImage)
			assert.Equal(t, tc.want, fb.created[0].Config.Nodes[0].Image)
		})
	}
}

func TestEnsureReusesOwnCluster(t *testing.T) {
	fb := newFakeBackend()
	nodes := fb.addCluster("labctl", 1)
	own := marker{Environment: "labctl", Ingress: cluster.Ingress{ServiceType: "NodePort", Host: "127.0.0.1", HTTPPort: 9080, HTTPSPort: 9443, NodePortHTTP: 30080, NodePortHTTPS: 30443}}
	b, _ := json.Marshal(own)
	nodes[0].files[markerPath] = string(b)
	p, log := testProvider(t, fb, Options{})

	c, err := p.Ensure(context.Background(), request(1))
	require.NoError(t, err)
	assert.False(t, c.Created)
	assert.True(t, c.Owned)
	assert.Equal(t, "kind-labctl", c.Context)
	assert.Equal(t, own.Ingress, c.Ingress, "the ports the cluster was created with")
	assert.Equal(t, []string{"list", "export-kubeconfig labctl /tmp/kc"}, fb.Calls())
	assert.Contains(t, log.String(), `kind cluster "labctl" publishes the ingress on ports 9080/9443, not 8080/8443`)
}

func TestEnsureReusesForeignCluster(t *testing.T) {
	fb := newFakeBackend()
	fb.addCluster("labctl", 0)
	p, log := testProvider(t, fb, Options{})

	c, err := p.Ensure(context.Background(), request(2))
	require.NoError(t, err)
	assert.False(t, c.Created)
	assert.False(t, c.Owned)
	assert.Equal(t, 8080, c.Ingress.HTTPPort)
	assert.Contains(t, log.String(), `using kind cluster "labctl", which labctl did not create: `+"`labctl down`"+` will leave the cluster`)
	assert.Contains(t, log.String(), `kind cluster "labctl" has 1 nodes, the stack asks for 3`)
}

func TestEnsureStoppedCluster(t *testing.T) {
	fb := newFakeBackend()
	nodes := fb.addCluster("labctl", 1)
	nodes[0].readErr = errors.New("container labctl-control-plane is not running")
	p, _ := testProvider(t, fb, Options{})

	_, err := p.Ensure(context.Background(), request(1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `kind cluster "labctl" exists but labctl cannot run commands in its node labctl-control-plane (container labctl-control-plane is not running): if its nodes are stopped, start them with `+"`docker start labctl-control-plane labctl-worker`")
}

func TestEnsureFailedCreateCollectsLogs(t *testing.T) {
	fb := newFakeBackend()
	fb.createErr = errors.New("failed to pull image \"kindest/node:v1.37.0\"")
	fb.failBeforeNodes = true
	work := t.TempDir()
	p, _ := testProvider(t, fb, Options{WorkDir: work, DefaultNodeImage: "kindest/node:v1.37.0"})

	_, err := p.Ensure(context.Background(), request(1))
	require.Error(t, err)
	var ce *CreateError
	require.ErrorAs(t, err, &ce)
	wantDir := filepath.Join(work, "kind-logs-labctl-20261121-150405")
	assert.Equal(t, wantDir, ce.LogsDir)
	assert.FileExists(t, filepath.Join(wantDir, "kind-version.txt"))
	assert.ErrorIs(t, err, fb.createErr)
	assert.Equal(t, `creating kind cluster "labctl" failed: failed to pull image "kindest/node:v1.37.0"
the node image kindest/node:v1.37.0 could not be pulled: check the network (or a proxy), or pre-pull it with `+"`docker pull kindest/node:v1.37.0`"+`
no node was started; kind's and the container runtime's details are in `+wantDir+`
the failed cluster was deleted; fix the cause and run `+"`labctl up`"+` again`, err.Error())
	assert.Equal(t, []string{"list", "create labctl", "collect-logs labctl", "delete labctl /tmp/kc"}, fb.Calls())
	assert.False(t, p.leftover("labctl"))
}

func TestEnsureFailedKubeadm(t *testing.T) {
	fb := newFakeBackend()
	fb.createErr = errors.New("failed to init node with kubeadm: timed out waiting for the condition")
	work := t.TempDir()
	p, _ := testProvider(t, fb, Options{WorkDir: work})

	_, err := p.Ensure(context.Background(), request(1))
	require.Error(t, err)
	dir := filepath.Join(work, "kind-logs-labctl-20261121-150405")
	assert.DirExists(t, filepath.Join(dir, "labctl-control-plane"))
	assert.DirExists(t, filepath.Join(dir, "labctl-worker"))
	assert.Contains(t, err.Error(), "kubeadm did not finish: often too little memory/CPU")
	assert.Contains(t, err.Error(), "\nnode logs (journal, kubelet, containerd, pods) are in "+dir+"\n")
	assert.Empty(t, fb.clusters, "the retained nodes were deleted after collecting their logs")
}

func TestEnsureFailedCreateAndDelete(t *testing.T) {
	fb := newFakeBackend()
	fb.createErr = errBoom
	fb.collectErr = errors.New("no nodes")
	fb.deleteErr = errors.New("docker rm failed")
	p, _ := testProvider(t, fb, Options{})

	_, err := p.Ensure(context.Background(), request(0))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "some logs could not be collected (no nodes)\nnode logs (journal, kubelet, containerd, pods) are in ")
	assert.Contains(t, err.Error(), "deleting the failed cluster failed too (docker rm failed): delete it with `kind delete cluster --name labctl`")
	assert.True(t, p.leftover("labctl"), "the next up must not reuse the broken cluster")

	// The next Ensure deletes the leftover and creates again.
	fb.createErr, fb.deleteErr, fb.calls = nil, nil, nil
	c, err := p.Ensure(context.Background(), request(0))
	require.NoError(t, err)
	assert.True(t, c.Created)
	assert.Equal(t, []string{"list", "delete labctl /tmp/kc", "create labctl"}, fb.Calls())
}

func TestEnsureInterrupted(t *testing.T) {
	fb := newFakeBackend()
	fb.createGate = make(chan struct{})
	fb.createStarted = make(chan struct{})
	p, log := testProvider(t, fb, Options{})
	ctx, cancel := context.WithCancel(context.Background())

	errc := make(chan error, 1)
	go func() {
		_, err := p.Ensure(ctx, request(1))
		errc <- err
	}()
	<-fb.createStarted
	cancel()
	// Ensure waits for kind while it still works on the cluster.
	select {
	case err := <-errc:
		t.Fatalf("Ensure returned before kind finished: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(fb.createGate)
	err := <-errc
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), `interrupted: the partly created kind cluster "labctl" was deleted`)
	assert.Contains(t, log.String(), "interrupted: kind cannot stop half-way")
	assert.Equal(t, []string{"list", "create labctl", "delete labctl /tmp/kc"}, fb.Calls())
	assert.Empty(t, fb.clusters)
	assert.False(t, p.leftover("labctl"))
}

func TestEnsureMirrorWriteFails(t *testing.T) {
	fb := newFakeBackend()
	nodes := fb.addCluster("labctl", 1)
	nodes[1].writeErr = errBoom
	p, _ := testProvider(t, fb, Options{})
	req := request(1)
	req.Spec.RegistryMirror = testMirror
	_, err := p.Ensure(context.Background(), req)
	assert.EqualError(t, err, `kind cluster "labctl": configuring registry mirror http://kind-registry:5000 for docker.io on node labctl-worker: boom`)
}

func TestEnsureListFails(t *testing.T) {
	fb := newFakeBackend()
	fb.listErr = errBoom
	p, _ := testProvider(t, fb, Options{})
	_, err := p.Ensure(context.Background(), request(1))
	assert.EqualError(t, err, "listing kind clusters: boom")
}

func TestDelete(t *testing.T) {
	env := func(created bool, context string) *state.Environment {
		return &state.Environment{Name: "labctl", Context: context, Kubeconfig: "/tmp/kc", ClusterCreated: created}
	}
	t.Run("created by labctl", func(t *testing.T) {
		fb := newFakeBackend()
		fb.addCluster("labctl", 1)
		p, _ := testProvider(t, fb, Options{})
		require.NoError(t, p.Delete(context.Background(), env(true, "kind-labctl")))
		assert.Equal(t, []string{"list", "delete labctl /tmp/kc"}, fb.Calls())
	})
	t.Run("cluster named by context", func(t *testing.T) {
		fb := newFakeBackend()
		fb.addCluster("other", 0)
		p, _ := testProvider(t, fb, Options{})
		require.NoError(t, p.Delete(context.Background(), env(true, "kind-other")))
		assert.Equal(t, []string{"list", "delete other /tmp/kc"}, fb.Calls())
	})
	t.Run("not created by labctl", func(t *testing.T) {
		fb := newFakeBackend()
		fb.addCluster("labctl", 1)
		p, _ := testProvider(t, fb, Options{})
		require.NoError(t, p.Delete(context.Background(), env(false, "kind-labctl")))
		assert.Empty(t, fb.Calls())
	})
	t.Run("already gone", func(t *testing.T) {
		fb := newFakeBackend()
		p, _ := testProvider(t, fb, Options{})
		require.NoError(t, p.Delete(context.Background(), env(true, "kind-labctl")))
		assert.Equal(t, []string{"list"}, fb.Calls())
	})
	t.Run("delete fails", func(t *testing.T) {
		fb := newFakeBackend()
		fb.addCluster("labctl", 1)
		fb.deleteErr = errBoom
		p, _ := testProvider(t, fb, Options{})
		assert.EqualError(t, p.Delete(context.Background(), env(true, "kind-labctl")), `deleting kind cluster "labctl": boom`)
	})
}

func TestCreatingMarkerIsInWorkDir(t *testing.T) {
	work := t.TempDir()
	p, _ := testProvider(t, newFakeBackend(), Options{WorkDir: work})
	require.NoError(t, p.markCreating("labctl"))
	_, err := os.Stat(filepath.Join(work, "kind-labctl.creating"))
	require.NoError(t, err)
	p.unmarkCreating("labctl")
	assert.False(t, p.leftover("labctl"))
}
