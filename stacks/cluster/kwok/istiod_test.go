package kwok

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIstiodURLs(t *testing.T) {
	p := IstiodPorts{HTTPS: 41017}
	assert.Equal(t, "https://localhost:41017/inject", p.InjectionURL())
	assert.Equal(t, "https://localhost:41017/validate", p.ValidationURL())
}

// TestIstiodStopAndHealth: a recorded istiod that runs is stopped and its
// files removed; one that died is reported with its log.
func TestIstiodStopAndHealth(t *testing.T) {
	p, _, _ := newTestProvider(t)
	dir := ClusterDir(p.Workdir(), "lab")
	idir := IstiodDir(dir)
	require.NoError(t, os.MkdirAll(idir, 0o700))
	assert.Empty(t, istiodProblem(dir), "no istiod recorded")

	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	waited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(waited) }()
	require.NoError(t, writeIstiod(idir, IstiodPorts{HTTPS: 1}, cmd.Process.Pid))
	assert.Empty(t, istiodProblem(dir), "istiod runs")
	require.NoError(t, p.StopIstiod(context.Background(), "lab"))
	<-waited
	assert.NoDirExists(t, idir)

	require.NoError(t, os.MkdirAll(idir, 0o700))
	require.NoError(t, writeIstiod(idir, IstiodPorts{HTTPS: 1}, cmd.Process.Pid)) // exited now
	probs := istiodProblem(dir)
	require.Len(t, probs, 1)
	assert.Equal(t, "istiod", probs[0].Component)
	assert.Equal(t, filepath.Join(idir, "istiod.log"), probs[0].Log)

	p.opts.Binaries = map[string]string{IstiodBinary: filepath.Join(t.TempDir(), "missing")}
	_, err := p.StartIstiod(context.Background(), "lab", IstiodOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make testenv")
}

// TestReserveControlPlane: without pilot-discovery nothing is reserved and
// the reason names the fix; with it, ports are recorded before istiod
// starts (reported as not started until then), kept by the next up, kept
// for a dead istiod while they are free, and the mode is recorded.
func TestReserveControlPlane(t *testing.T) {
	ctx := context.Background()
	p, _, cache := newTestProvider(t)
	cp, why, err := p.ReserveControlPlane(ctx, "lab", "sidecar")
	require.NoError(t, err)
	assert.Nil(t, cp)
	assert.Contains(t, why, "make testenv")
	assert.Contains(t, why, IstiodEnv)

	bin := filepath.Join(TestenvBinDir(cache), IstiodBinary)
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755))
	assert.Equal(t, bin, p.IstiodPath())
	cp, why, err = p.ReserveControlPlane(ctx, "lab", "ambient")
	require.NoError(t, err)
	require.NotNil(t, cp, why)
	dir := ClusterDir(p.Workdir(), "lab")
	rec, err := readIstiod(IstiodDir(dir))
	require.NoError(t, err)
	assert.Zero(t, rec.PID)
	assert.True(t, rec.Ambient)
	assert.Equal(t, rec.Ports.InjectionURL(), cp.InjectionURL)
	assert.Equal(t, rec.Ports.ValidationURL(), cp.ValidationURL)
	probs := istiodProblem(dir)
	require.Len(t, probs, 1)
	assert.Contains(t, probs[0].Message, "never started")

	again, _, err := p.ReserveControlPlane(ctx, "lab", "sidecar")
	require.NoError(t, err)
	assert.Equal(t, cp, again, "free reserved ports are kept")
	rec, err = readIstiod(IstiodDir(dir))
	require.NoError(t, err)
	assert.False(t, rec.Ambient, "the mode follows the stack")

	// A port of the record taken by someone else: new ports.
	l, err := net.Listen("tcp", net.JoinHostPort(BindAddress, strconv.Itoa(rec.Ports.HTTPS)))
	require.NoError(t, err)
	defer l.Close()
	moved, _, err := p.ReserveControlPlane(ctx, "lab", "sidecar")
	require.NoError(t, err)
	assert.NotEqual(t, cp.InjectionURL, moved.InjectionURL)

	t.Setenv(IstiodEnv, filepath.Join(t.TempDir(), "missing"))
	assert.Empty(t, p.IstiodPath(), "$%s wins and must exist", IstiodEnv)
}
