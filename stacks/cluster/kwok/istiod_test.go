package kwok

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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
