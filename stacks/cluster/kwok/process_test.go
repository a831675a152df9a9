package kwok

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadPIDs(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    []Process
		wantErr string
	}{{
		name: "no pids directory",
	}, {
		name:  "sorted by name, other files ignored",
		files: map[string]string{"kube-apiserver.pid": "42", "etcd.pid": "7\n", "notes.txt": "x"},
		want:  []Process{{Name: "etcd", PID: 7}, {Name: "kube-apiserver", PID: 42}},
	}, {
		name:    "garbage",
		files:   map[string]string{"etcd.pid": "abc"},
		wantErr: "not a process id",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.files != nil {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, "pids"), 0o755))
				for n, c := range tt.files {
					require.NoError(t, os.WriteFile(filepath.Join(dir, "pids", n), []byte(c), 0o644))
				}
			}
			got, err := readPIDs(dir)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAliveAndWaitGone(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	procs := []Process{{Name: "sleep", PID: pid}}

	assert.True(t, alive(pid))
	err := waitGone(context.Background(), procs, 300*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sleep (pid "+strconv.Itoa(pid)+")")
	assert.Contains(t, err.Error(), "kill "+strconv.Itoa(pid))

	// Killed but not reaped: a zombie, which counts as gone.
	require.NoError(t, cmd.Process.Kill())
	require.NoError(t, waitGone(context.Background(), procs, 5*time.Second))
	assert.False(t, alive(pid))
}

func TestWaitGoneHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := waitGone(ctx, []Process{{Name: "self", PID: os.Getpid()}}, time.Minute)
	require.Error(t, err)
}
