package kwok

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/stacks/cluster"
)

func TestLockPortsExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ports.lock")
	ctx := context.Background()
	unlock, err := lockPorts(ctx, path, time.Second)
	require.NoError(t, err)
	_, err = lockPorts(ctx, path, 300*time.Millisecond)
	require.Error(t, err, "a second holder while the first holds it")
	assert.Contains(t, err.Error(), "another simulated cluster has been starting")
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = lockPorts(cctx, path, time.Second)
	assert.ErrorIs(t, err, context.Canceled)

	// The waiter finds the lock held at least once, and is let in when it
	// is released: the release waits for the waiter's first refusal.
	refused := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		u, err := waitPortLock(ctx, path, time.Minute, func() { once.Do(func() { close(refused) }) })
		if err == nil {
			u()
		}
		done <- err
	}()
	<-refused
	unlock()
	require.NoError(t, <-done, "the waiter gets the lock once it is released")
}

func TestAllocatePortsDistinct(t *testing.T) {
	seen := map[uint32]bool{}
	p, err := allocatePorts()
	require.NoError(t, err)
	for _, port := range []uint32{p.EtcdPeerPort, p.EtcdPort, p.KubeApiserverPort, p.KubeControllerManagerPort, p.KubeSchedulerPort, p.KwokControllerPort} {
		assert.NotZero(t, port)
		assert.False(t, seen[port], "port %d twice", port)
		seen[port] = true
	}
}

// TestEnsureWritesPorts: a new cluster's configuration names every port,
// so kwokctl picks none itself.
func TestEnsureWritesPorts(t *testing.T) {
	p, _, _ := newTestProvider(t)
	_, err := p.Ensure(context.Background(), cluster.Request{Name: "lab", Kubeconfig: filepath.Join(t.TempDir(), "kc")})
	require.NoError(t, err)
	o, err := savedOptions(ClusterDir(p.Workdir(), "lab"))
	require.NoError(t, err)
	assert.Equal(t, BindAddress, o.BindAddress)
	for name, port := range map[string]uint32{"etcdPeerPort": o.EtcdPeerPort, "etcdPort": o.EtcdPort, "kubeApiserverPort": o.KubeApiserverPort,
		"kubeControllerManagerPort": o.KubeControllerManagerPort, "kubeSchedulerPort": o.KubeSchedulerPort, "kwokControllerPort": o.KwokControllerPort} {
		assert.NotZero(t, port, name)
	}
	fi, err := os.Stat(ConfigPath(p.Workdir(), "lab"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}
