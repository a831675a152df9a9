package preflight

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unixEngineServer serves a fake Engine API on a unix socket.
func unixEngineServer(t *testing.T, h http.Handler) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return "unix://" + sock
}

func TestEngineOverUnixSocket(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/_ping", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("OK")) })
	mux.HandleFunc("/info", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"Name":"host","OperatingSystem":"Docker Desktop","NCPU":4,"MemTotal":8241434624,
			"CgroupVersion":"2","CgroupDriver":"cgroupfs","MemoryLimit":true,"PidsLimit":true,"CPUShares":true,
			"SecurityOptions":["name=seccomp,profile=builtin","name=rootless","name=cgroupns"]}`))
	})
	e, err := NewEngine(unixEngineServer(t, mux), func(string) string { return "" })
	require.NoError(t, err)
	require.NoError(t, e.Ping(context.Background()))
	info, err := e.Info(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 4, info.NCPU)
	assert.Equal(t, int64(8241434624), info.MemTotal)
	assert.True(t, info.Rootless())
	assert.True(t, info.DockerDesktop())
}

func TestEngineErrors(t *testing.T) {
	e, err := NewEngine(unixEngineServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})), func(string) string { return "" })
	require.NoError(t, err)
	assert.ErrorContains(t, e.Ping(context.Background()), "GET /_ping answered 500 Internal Server Error: boom")

	_, err = NewEngine("ssh://me@box", func(string) string { return "" })
	assert.True(t, errors.Is(err, ErrEndpointUnsupported))

	tcp, err := NewEngine("tcp://127.0.0.1:2375", func(string) string { return "" })
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:2375", tcp.(*httpEngine).base)
	tlsEng, err := NewEngine("tcp://box:2376", func(k string) string {
		if k == "DOCKER_TLS_VERIFY" {
			return "1"
		}
		return ""
	})
	require.NoError(t, err)
	assert.Equal(t, "https://box:2376", tlsEng.(*httpEngine).base)
}

func TestEngineMissingSocketIsNotExist(t *testing.T) {
	e, err := NewEngine("unix://"+filepath.Join(t.TempDir(), "none.sock"), func(string) string { return "" })
	require.NoError(t, err)
	err = e.Ping(context.Background())
	require.Error(t, err)
	assert.Contains(t, reason(dockerLinux, err), "no such socket, the daemon is not running")
}
