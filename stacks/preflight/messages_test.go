package preflight

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/golden"
	"github.com/labctl/labctl/stacks"
)

// TestMessagesGolden renders every preflight message as the user sees it
// (Finding.String), so wording changes show up in review.
func TestMessagesGolden(t *testing.T) {
	rootless := []string{"name=rootless"}
	run := func(rt Runtime, e Engine) Report {
		_, rep := ContainerRuntime(context.Background(), rt, e)
		return rep
	}
	cases := []struct {
		title string
		rep   Report
	}{
		{"no runtime installed (Linux)", run(Runtime{GOOS: "linux"}, nil)},
		{"no runtime installed (macOS)", run(Runtime{GOOS: "darwin"}, nil)},
		{"Docker stopped (Linux)", run(dockerLinux, fakeEngine{pingErr: dialErr(syscall.ENOENT)})},
		{"Docker refused (Linux)", run(dockerLinux, fakeEngine{pingErr: dialErr(syscall.ECONNREFUSED)})},
		{"Docker socket permission denied", run(dockerLinux, fakeEngine{pingErr: dialErr(syscall.EACCES)})},
		{"Docker hung", run(dockerLinux, fakeEngine{pingErr: &url.Error{Op: "Get", URL: "http://docker/_ping", Err: context.DeadlineExceeded}})},
		{"Docker Desktop stopped (macOS, docker context)", run(dockerMac, fakeEngine{pingErr: dialErr(syscall.ENOENT)})},
		{"Podman API socket down", run(podmanLinux, fakeEngine{pingErr: dialErr(syscall.ENOENT)})},
		{"rootless on cgroup v1", Rootless(dockerLinux, &EngineInfo{SecurityOptions: rootless, CgroupVersion: "1"})},
		{"rootless podman without delegation", Rootless(podmanLinux, &EngineInfo{SecurityOptions: rootless, CgroupVersion: "2", CgroupDriver: "systemd", PidsLimit: true})},
		{"inotify low", Inotify(procFiles("8192", "128"))},
		{"port taken", Ports(ingressPorts(8080, 8443), fakeProber{taken: map[int]bool{8080: true}})},
		{"ports clash", Ports(ingressPorts(8443, 8443), fakeProber{})},
		{"Docker Desktop small", RuntimeResources(dockerMac, &EngineInfo{OperatingSystem: "Docker Desktop", MemTotal: 4 << 30, NCPU: 2}, stacks.Resources{MemoryMiB: 8192, CPUs: 4}, "")},
		{"Linux host small", RuntimeResources(dockerLinux, &EngineInfo{MemTotal: 6 << 30, NCPU: 8}, stacks.Resources{MemoryMiB: 6656}, "")},
	}
	var b strings.Builder
	for _, c := range cases {
		require.NotEmpty(t, c.rep, c.title)
		fmt.Fprintf(&b, "## %s\n", c.title)
		for _, f := range c.rep {
			fmt.Fprintf(&b, "[%s] %s\n", f.Severity, f)
		}
		b.WriteString("\n")
	}
	golden.AssertString(t, "messages.golden.txt", b.String())
}
