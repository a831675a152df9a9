package preflight

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeEngine answers Ping and Info with fixed results.
type fakeEngine struct {
	pingErr error
	info    *EngineInfo
	infoErr error
	// block makes Ping wait for its context, like a hung daemon.
	block bool
}

func (f fakeEngine) Ping(ctx context.Context) error {
	if f.block {
		<-ctx.Done()
		return &url.Error{Op: "Get", URL: "http://docker/_ping", Err: ctx.Err()}
	}
	return f.pingErr
}

func (f fakeEngine) Info(context.Context) (*EngineInfo, error) { return f.info, f.infoErr }

// dialErr is what net/http returns when dialing a unix socket fails.
func dialErr(errno syscall.Errno) error {
	return &url.Error{Op: "Get", URL: "http://docker/_ping", Err: &net.OpError{
		Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", errno),
	}}
}

var (
	dockerLinux = Runtime{Name: "docker", Endpoint: "unix:///var/run/docker.sock", Source: "default", GOOS: "linux"}
	dockerMac   = Runtime{Name: "docker", Endpoint: "unix:///Users/u/.docker/run/docker.sock", Source: `docker context "desktop-linux"`, GOOS: "darwin"}
	podmanLinux = Runtime{Name: "podman", Endpoint: "unix:///run/user/1000/podman/podman.sock", Source: "default", GOOS: "linux"}
)

func TestContainerRuntime(t *testing.T) {
	healthy := &EngineInfo{NCPU: 4, MemTotal: 8 << 30}
	tests := []struct {
		name     string
		rt       Runtime
		engine   Engine
		wantInfo bool
		check    string
		severity Severity
		contains []string
	}{
		{name: "reachable", rt: dockerLinux, engine: fakeEngine{info: healthy}, wantInfo: true},
		{name: "no runtime installed", rt: Runtime{GOOS: "linux"}, check: CheckRuntime, severity: Error,
			contains: []string{"no container runtime found", "sudo apt-get install docker.io", "labctl up --provider existing --context NAME"}},
		{name: "no socket", rt: dockerLinux, engine: fakeEngine{pingErr: dialErr(syscall.ENOENT)}, check: "docker", severity: Error,
			contains: []string{"Docker is not reachable (unix:///var/run/docker.sock: no such socket, the daemon is not running)",
				"start Docker: `sudo systemctl start docker`, or open Docker Desktop", "--provider existing --context NAME"}},
		{name: "refused", rt: dockerLinux, engine: fakeEngine{pingErr: dialErr(syscall.ECONNREFUSED)}, check: "docker", severity: Error,
			contains: []string{"connection refused, the daemon is not running"}},
		{name: "permission denied", rt: dockerLinux, engine: fakeEngine{pingErr: dialErr(syscall.EACCES)}, check: "docker", severity: Error,
			contains: []string{"permission denied", "sudo usermod -aG docker $USER"}},
		{name: "hung daemon", rt: dockerLinux, engine: fakeEngine{block: true}, check: "docker", severity: Error,
			contains: []string{"no answer within 2s", "Docker seems hung: restart it (`sudo systemctl restart docker`"}},
		{name: "macOS via context", rt: dockerMac, engine: fakeEngine{pingErr: dialErr(syscall.ENOENT)}, check: "docker", severity: Error,
			contains: []string{"open Docker Desktop (or `colima start`)", `the address comes from docker context "desktop-linux"`}},
		{name: "podman socket down is a warning", rt: podmanLinux, engine: fakeEngine{pingErr: dialErr(syscall.ENOENT)}, check: "podman", severity: Warning,
			contains: []string{"the Podman API is not reachable", "systemctl --user start podman.socket"}},
		{name: "info fails", rt: dockerLinux, engine: fakeEngine{infoErr: errors.New("boom")}, check: "docker", severity: Warning,
			contains: []string{"answered /_ping at unix:///var/run/docker.sock but not /info (boom)"}},
		{name: "nerdctl is not probed", rt: Runtime{Name: "nerdctl", GOOS: "linux"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, rep := ContainerRuntime(context.Background(), tc.rt, tc.engine)
			assert.Equal(t, tc.wantInfo, info != nil)
			if tc.check == "" {
				assert.Empty(t, rep)
				return
			}
			require.Len(t, rep, 1)
			assert.Equal(t, tc.check, rep[0].Check)
			assert.Equal(t, tc.severity, rep[0].Severity)
			for _, s := range tc.contains {
				assert.Contains(t, rep[0].Problem+"\n"+rep[0].Fix, s)
			}
		})
	}
}

func TestRootless(t *testing.T) {
	rootless := []string{"name=seccomp,profile=default", "name=rootless"}
	tests := []struct {
		name     string
		info     *EngineInfo
		contains []string
	}{
		{name: "not rootless", info: &EngineInfo{CgroupVersion: "1"}},
		{name: "rootless delegated", info: &EngineInfo{SecurityOptions: rootless, CgroupVersion: "2", CgroupDriver: "systemd", MemoryLimit: true, PidsLimit: true, CPUShares: true}},
		{name: "rootless on cgroup v1", info: &EngineInfo{SecurityOptions: rootless, CgroupVersion: "1"},
			contains: []string{"rootless Docker needs cgroup v2 for kind, and this host uses cgroup v1", "systemd.unified_cgroup_hierarchy=1"}},
		{name: "rootless without delegation", info: &EngineInfo{SecurityOptions: rootless, CgroupVersion: "2", CgroupDriver: "systemd", PidsLimit: true},
			contains: []string{"cannot limit cpu, memory", "Delegate=yes", "/etc/systemd/system/user@.service.d/delegate.conf", "sudo systemctl daemon-reload"}},
		{name: "cgroup driver none", info: &EngineInfo{SecurityOptions: rootless, CgroupVersion: "2", CgroupDriver: "none", MemoryLimit: true, PidsLimit: true, CPUShares: true},
			contains: []string{"cannot limit cpu, memory, pids"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := Rootless(dockerLinux, tc.info)
			if tc.contains == nil {
				assert.Empty(t, rep)
				return
			}
			require.Len(t, rep, 1)
			assert.Equal(t, Error, rep[0].Severity)
			for _, s := range tc.contains {
				assert.Contains(t, rep[0].Problem+"\n"+rep[0].Fix, s)
			}
		})
	}
}

// TestContainerRuntimeOnThisHost runs the real check against the real host.
// The development machine has the docker CLI but no daemon: the check must
// fail at once, say Docker is not reachable, and offer --provider existing.
func TestContainerRuntimeOnThisHost(t *testing.T) {
	rt := DetectRuntime(HostEnv())
	var e Engine
	if rt.Endpoint != "" {
		var err error
		e, err = NewEngine(rt.Endpoint, os.Getenv)
		if err != nil {
			t.Skipf("runtime endpoint %s cannot be probed: %v", rt.Endpoint, err)
		}
	}
	info, rep := ContainerRuntime(context.Background(), rt, e)
	if info != nil {
		t.Skipf("a container runtime is reachable at %s (%s %s): this test needs it stopped", rt.Endpoint, info.Name, info.ServerVersion)
	}
	if rt.Name == RuntimePodman || rt.Name == RuntimeNerdctl {
		t.Skipf("runtime is %s, whose API is optional", rt.Name)
	}
	require.NotEmpty(t, rep.Errors(), "expected a blocking finding")
	msg := rep.Err().Error()
	t.Logf("%s", msg)
	assert.Contains(t, msg, "--provider existing --context NAME")
	if rt.Name == RuntimeDocker {
		assert.Contains(t, msg, "Docker is not reachable")
	}
}
