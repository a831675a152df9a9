package kind

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	kindlog "sigs.k8s.io/kind/pkg/log"

	"github.com/labctl/labctl/internal/progress/progresstest"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/preflight"
)

type engine struct {
	pingErr error
	info    *preflight.EngineInfo
}

func (e engine) Ping(context.Context) error                          { return e.pingErr }
func (e engine) Info(context.Context) (*preflight.EngineInfo, error) { return e.info, nil }

type prober map[int]bool // taken ports

func (p prober) Free(port int) (bool, error) { return !p[port], nil }

// hostWith fakes a Linux host with the docker CLI, the given engine, taken
// ports and inotify limits.
func hostWith(p *Provider, e preflight.Engine, taken prober, watches, instances string) {
	p.env = preflight.Env{
		Getenv:   func(string) string { return "" },
		LookPath: func(n string) (string, error) { return "/usr/bin/" + n, nil },
		ReadFile: func(path string) ([]byte, error) {
			switch {
			case strings.HasSuffix(path, "max_user_watches"):
				return []byte(watches), nil
			case strings.HasSuffix(path, "max_user_instances"):
				return []byte(instances), nil
			}
			return nil, fs.ErrNotExist
		},
		GOOS: "linux",
	}
	p.newEngine = func(string) (preflight.Engine, error) { return e, nil }
	p.prober = taken
}

func checks(rep preflight.Report) []string {
	var out []string
	for _, f := range rep {
		out = append(out, f.Check+"/"+string(f.Severity))
	}
	return out
}

func TestPreflight(t *testing.T) {
	healthy := &preflight.EngineInfo{NCPU: 8, MemTotal: 16 << 30, CgroupVersion: "2"}
	small := &preflight.EngineInfo{NCPU: 2, MemTotal: 4 << 30, CgroupVersion: "2", OperatingSystem: "Docker Desktop"}
	needs := stacks.Resources{MemoryMiB: 8192, CPUs: 4}
	tests := []struct {
		name      string
		engine    engine
		taken     prober
		exists    bool
		watches   string
		mirror    string
		want      []string
		wantError bool
	}{
		{name: "all good", engine: engine{info: healthy}, watches: "524288"},
		{name: "docker down: runtime error, host checks still listed", engine: engine{pingErr: errors.New("dial unix /var/run/docker.sock: connect: no such file or directory")},
			taken: prober{8080: true}, watches: "8192",
			want: []string{"docker/error", "ports/error", "inotify/warning"}, wantError: true},
		{name: "ports taken", engine: engine{info: healthy}, taken: prober{8080: true, 8443: true}, watches: "524288",
			want: []string{"ports/error", "ports/error"}, wantError: true},
		{name: "existing cluster owns its ports", engine: engine{info: healthy}, taken: prober{8080: true, 8443: true}, exists: true, watches: "524288"},
		{name: "Docker Desktop short on resources, host inotify irrelevant", engine: engine{info: small}, watches: "8192",
			want: []string{"resources/warning"}},
		{name: "localhost mirror", engine: engine{info: healthy}, watches: "524288", mirror: "http://localhost:5001",
			want: []string{"registry-mirror/warning"}},
		{name: "bad mirror", engine: engine{info: healthy}, watches: "524288", mirror: "kind-registry:5000",
			want: []string{"registry-mirror/error"}, wantError: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fb := newFakeBackend()
			if tc.exists {
				fb.addCluster("labctl", 1)
			}
			p, _ := testProvider(t, fb, Options{})
			hostWith(p, tc.engine, tc.taken, tc.watches, "1024")
			req := cluster.Request{Name: "labctl", Spec: stacks.Cluster{Workers: 1, Requires: needs, RegistryMirror: tc.mirror}}
			rep := p.Preflight(context.Background(), req)
			assert.Equal(t, tc.want, checks(rep), "%v", rep)
			assert.Equal(t, tc.wantError, rep.Err() != nil)
		})
	}
}

func TestPreflightDockerDownMessage(t *testing.T) {
	p, _ := testProvider(t, newFakeBackend(), Options{})
	hostWith(p, engine{pingErr: errors.New("boom")}, nil, "524288", "512")
	p.env.LookPath = func(string) (string, error) { return "", errors.New("not found") }
	err := p.Preflight(context.Background(), cluster.Request{Name: "labctl"}).Err()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "✗ container-runtime: no container runtime found")
	assert.Contains(t, err.Error(), "`labctl up --provider existing --context NAME`")
}

func TestLogAdapter(t *testing.T) {
	buf := progresstest.New(0)
	var l kindlog.Logger = logAdapter{buf}
	l.V(0).Info(" • Preparing nodes 📦  ...\n")
	l.Warn("WARNING: cgroup v1 is deprecated")
	l.Error("not shown at -v 0")
	assert.Equal(t, "WARNING: cgroup v1 is deprecated\n", buf.String())
	assert.False(t, l.V(0).Enabled())

	buf = progresstest.New(1)
	l = logAdapter{buf}
	l.V(0).Infof(" ✓ %s\n", "Ensuring node image")
	l.V(1).Info("hidden at -v 1")
	l.Errorf("failed: %d", 1)
	assert.Equal(t, " ✓ Ensuring node image\nkind: failed: 1\n", buf.String())
}
