package preflight

import (
	"errors"
	"io/fs"
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/stacks"
)

func procFiles(watches, instances string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		switch {
		case p == inotifyWatchesFile && watches != "":
			return []byte(watches + "\n"), nil
		case p == inotifyInstancesFile && instances != "":
			return []byte(instances + "\n"), nil
		}
		return nil, fs.ErrNotExist
	}
}

func TestInotify(t *testing.T) {
	tests := []struct {
		name        string
		watches     string
		instances   string
		contains    []string
		notContains []string
	}{
		{name: "high enough", watches: "524288", instances: "8192"},
		{name: "unreadable (not Linux)"},
		{name: "both low", watches: "8192", instances: "128", contains: []string{
			"fs.inotify.max_user_watches is 8192 (need 524288), fs.inotify.max_user_instances is 128 (need 512)",
			"sudo sysctl fs.inotify.max_user_watches=524288\nsudo sysctl fs.inotify.max_user_instances=512",
			`printf 'fs.inotify.max_user_watches = 524288\nfs.inotify.max_user_instances = 512\n' | sudo tee /etc/sysctl.d/99-labctl-inotify.conf`,
		}},
		{name: "instances low only", watches: "1048576", instances: "128",
			contains:    []string{"sudo sysctl fs.inotify.max_user_instances=512"},
			notContains: []string{"max_user_watches"}},
		{name: "garbage is ignored", watches: "lots", instances: "512"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := Inotify(procFiles(tc.watches, tc.instances))
			if tc.contains == nil {
				assert.Empty(t, rep)
				return
			}
			require.Len(t, rep, 1)
			assert.Equal(t, Warning, rep[0].Severity)
			all := rep[0].Problem + "\n" + rep[0].Fix
			for _, s := range tc.contains {
				assert.Contains(t, all, s)
			}
			for _, s := range tc.notContains {
				assert.NotContains(t, all, s)
			}
		})
	}
}

// fakeProber treats the listed ports as taken; errs fail.
type fakeProber struct {
	taken map[int]bool
	errs  map[int]error
}

func (f fakeProber) Free(port int) (bool, error) {
	if err := f.errs[port]; err != nil {
		return false, err
	}
	return !f.taken[port], nil
}

func ingressPorts(http, https int) []Port {
	return []Port{{"http", http, "cluster.ports.http"}, {"https", https, "cluster.ports.https"}}
}

func TestPorts(t *testing.T) {
	tests := []struct {
		name   string
		ports  []Port
		prober fakeProber
		want   []string // Problem + "\n" + Fix of each finding, in order
		sev    []Severity
	}{
		{name: "all free", ports: ingressPorts(8080, 8443)},
		{name: "zero is skipped", ports: ingressPorts(0, 8443)},
		{name: "http taken, next is free", ports: ingressPorts(8080, 8443), prober: fakeProber{taken: map[int]bool{8080: true}},
			want: []string{"host port 8080 (http) on 127.0.0.1 is already in use\n" +
				"see who holds it: `sudo ss -ltnp 'sport = :8080'` (or `lsof -nP -iTCP:8080 -sTCP:LISTEN`) and stop it\n" +
				"or use the free port 8081: `labctl up --set cluster.ports.http=8081`"},
			sev: []Severity{Error}},
		{name: "suggestions skip taken and reserved ports", ports: ingressPorts(8080, 8081),
			prober: fakeProber{taken: map[int]bool{8080: true, 8081: true, 8082: true}},
			want: []string{
				"host port 8080 (http) on 127.0.0.1 is already in use\nsee who holds it: `sudo ss -ltnp 'sport = :8080'` (or `lsof -nP -iTCP:8080 -sTCP:LISTEN`) and stop it\nor use the free port 8083: `labctl up --set cluster.ports.http=8083`",
				"host port 8081 (https) on 127.0.0.1 is already in use\nsee who holds it: `sudo ss -ltnp 'sport = :8081'` (or `lsof -nP -iTCP:8081 -sTCP:LISTEN`) and stop it\nor use the free port 8084: `labctl up --set cluster.ports.https=8084`",
			},
			sev: []Severity{Error, Error}},
		{name: "same port twice", ports: ingressPorts(8080, 8080),
			want: []string{"http and https both ask for host port 8080\ngive them different ports: `labctl up --set cluster.ports.https=N`"},
			sev:  []Severity{Error}},
		{name: "invalid port", ports: ingressPorts(70000, 8443),
			want: []string{"http port 70000 is not a valid port\npick one in 1024-65535: `labctl up --set cluster.ports.http=N`"},
			sev:  []Severity{Error}},
		{name: "cannot check", ports: ingressPorts(8080, 8443), prober: fakeProber{errs: map[int]error{8443: errors.New("weird")}},
			want: []string{"could not check https port 8443 on 127.0.0.1: weird\n"},
			sev:  []Severity{Warning}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := Ports(tc.ports, tc.prober)
			require.Len(t, rep, len(tc.want))
			for i, f := range rep {
				assert.Equal(t, CheckPorts, f.Check)
				assert.Equal(t, tc.sev[i], f.Severity)
				assert.Equal(t, tc.want[i], f.Problem+"\n"+f.Fix)
			}
		})
	}
}

func TestLocalProber(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	busy := l.Addr().(*net.TCPAddr).Port

	free, err := LocalProber{}.Free(busy)
	require.NoError(t, err)
	assert.False(t, free, "port %d is held by this test", busy)

	rep := Ports([]Port{{"http", busy, "cluster.ports.http"}}, LocalProber{})
	require.Len(t, rep, 1)
	assert.Contains(t, rep[0].Problem, "host port "+strconv.Itoa(busy)+" (http) on 127.0.0.1 is already in use")
	assert.Contains(t, rep[0].Fix, "labctl up --set cluster.ports.http=")
}

func TestRuntimeResources(t *testing.T) {
	needs := stacks.Resources{MemoryMiB: 8192, CPUs: 4}
	tests := []struct {
		name     string
		rt       Runtime
		info     *EngineInfo
		contains []string
	}{
		{name: "enough", rt: dockerLinux, info: &EngineInfo{MemTotal: 16 << 30, NCPU: 8}},
		{name: "no info", rt: dockerLinux},
		{name: "unknown values are not a finding", rt: dockerLinux, info: &EngineInfo{}},
		{name: "Docker Desktop short on both", rt: dockerMac,
			info: &EngineInfo{OperatingSystem: "Docker Desktop", MemTotal: 4 << 30, NCPU: 2},
			contains: []string{
				`Docker Desktop offers 4 GiB of memory (the stack needs 8 GiB) and 2 CPUs (the stack needs 4); pods may stay Pending with "Insufficient cpu" or "Insufficient memory"`,
				"Settings → Resources → Advanced: Memory ≥ 8 GiB, CPUs ≥ 4",
				DefaultSlimHint,
			}},
		{name: "Colima short on memory", rt: dockerMac, info: &EngineInfo{Name: "colima", MemTotal: 2 << 30, NCPU: 8},
			contains: []string{"Colima offers 2 GiB of memory", "colima start --memory 8 --cpu 4"}},
		{name: "podman machine", rt: Runtime{Name: "podman", GOOS: "darwin"}, info: &EngineInfo{MemTotal: 2 << 30, NCPU: 8},
			contains: []string{"Podman offers 2 GiB", "podman machine set --memory 8192 --cpus 4"}},
		{name: "Linux host short on CPUs", rt: dockerLinux, info: &EngineInfo{MemTotal: 24 << 30, NCPU: 2},
			contains: []string{"Docker offers 2 CPUs (the stack needs 4)", "this machine itself is short"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := RuntimeResources(tc.rt, tc.info, needs, "")
			if tc.contains == nil {
				assert.Empty(t, rep)
				return
			}
			require.Len(t, rep, 1)
			assert.Equal(t, Warning, rep[0].Severity)
			for _, s := range tc.contains {
				assert.Contains(t, rep[0].Problem+"\n"+rep[0].Fix, s)
			}
		})
	}
	rep := RuntimeResources(dockerLinux, &EngineInfo{MemTotal: 1 << 30}, needs, "use `--profile slim`")
	require.Len(t, rep, 1)
	assert.Contains(t, rep[0].Fix, "use `--profile slim`")
}
