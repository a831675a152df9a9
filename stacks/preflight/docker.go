package preflight

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"time"
)

// Timeouts of the container runtime checks. With the daemon stopped the
// socket refuses at once; these only bound a hung daemon, so that
// `labctl up` still fails within 10 s.
const (
	EnginePingTimeout = 2 * time.Second
	EngineInfoTimeout = 3 * time.Second
)

// Check names of the host checks.
const (
	// CheckRuntime is used when no runtime is installed; otherwise runtime
	// findings are named after the runtime: "docker", "podman".
	CheckRuntime   = "container-runtime"
	CheckRootless  = "rootless"
	CheckInotify   = "inotify"
	CheckPorts     = "ports"
	CheckResources = "resources"
)

// fixUseExisting is the way out that needs no container runtime at all.
const fixUseExisting = "or use an existing cluster instead: `labctl up --provider existing --context NAME`"

// ContainerRuntime checks that the runtime kind will use is installed and
// that its API answers. It returns the engine's /info when it could read
// it (nil otherwise) for the rootless and resources checks. e may be nil
// when the endpoint cannot be checked (ssh://, nerdctl): then only the
// installation is checked.
func ContainerRuntime(ctx context.Context, rt Runtime, e Engine) (*EngineInfo, Report) {
	if rt.Name == "" {
		return nil, Report{{
			Check:    CheckRuntime,
			Severity: Error,
			Problem:  "no container runtime found: kind needs Docker (or Podman or nerdctl) and none of docker, podman, nerdctl is on PATH",
			Fix:      "install Docker: " + installDockerHint(rt.GOOS) + "\n" + fixUseExisting,
		}}
	}
	if e == nil {
		return nil, nil
	}
	pctx, cancel := context.WithTimeout(ctx, EnginePingTimeout)
	err := e.Ping(pctx)
	cancel()
	if err != nil {
		return nil, runtimeDown(rt, err)
	}
	ictx, cancel := context.WithTimeout(ctx, EngineInfoTimeout)
	defer cancel()
	info, err := e.Info(ictx)
	if err != nil {
		return nil, Report{{
			Check:    runtimeCheck(rt),
			Severity: Warning,
			Problem:  fmt.Sprintf("%s answered /_ping at %s but not /info (%v): memory, CPUs and cgroups were not checked", title(rt.Name), rt.Endpoint, err),
		}}
	}
	return info, nil
}

// runtimeDown explains an unreachable runtime API. Podman has no daemon (kind
// runs the podman CLI), so its idle API socket is only a warning.
func runtimeDown(rt Runtime, err error) Report {
	cause := reason(rt, err)
	if rt.Name == RuntimePodman {
		return Report{{
			Check:    runtimeCheck(rt),
			Severity: Warning,
			Problem:  fmt.Sprintf("the Podman API is not reachable (%s), so Podman's memory, CPUs and cgroup delegation were not checked", cause),
			Fix:      "start the API socket to get these checks: `systemctl --user start podman.socket` (rootless) or `sudo systemctl start podman.socket`",
		}}
	}
	f := Finding{
		Check:    runtimeCheck(rt),
		Severity: Error,
		Problem:  fmt.Sprintf("%s is not reachable (%s)", title(rt.Name), cause),
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		f.Fix = "let your user reach the Docker socket: `sudo usermod -aG docker $USER`, then log out and back in (or run `newgrp docker`)\n" + fixUseExisting
	case errors.Is(err, context.DeadlineExceeded):
		f.Fix = "Docker seems hung: restart it (" + startDockerHint(rt.GOOS, "restart") + ")\n" + fixUseExisting
	default:
		f.Fix = "start Docker: " + startDockerHint(rt.GOOS, "start") + "\n" + fixUseExisting
	}
	if rt.Source != "default" && rt.Source != "" {
		f.Fix += fmt.Sprintf("\n(the address comes from %s; unset or switch it if it is stale: `docker context use default`)", rt.Source)
	}
	return Report{f}
}

// reason turns a dial or HTTP error into a short cause.
func reason(rt Runtime, err error) string {
	endpoint := rt.Endpoint
	down := "the daemon is not running"
	if rt.Name == RuntimePodman {
		down = "the API service is not running"
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return endpoint + ": no such socket, " + down
	case errors.Is(err, syscall.ECONNREFUSED):
		return endpoint + ": connection refused, " + down
	case errors.Is(err, fs.ErrPermission):
		return endpoint + ": permission denied"
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("%s: no answer within %s", endpoint, EnginePingTimeout)
	}
	return fmt.Sprintf("%s: %v", endpoint, err)
}

func startDockerHint(goos, verb string) string {
	desktop := "open Docker Desktop"
	if verb == "restart" {
		desktop = "restart Docker Desktop"
	}
	if goos == "darwin" || goos == "windows" {
		return desktop + " (or `colima " + verb + "`)"
	}
	return "`sudo systemctl " + verb + " docker`, or " + desktop
}

func installDockerHint(goos string) string {
	if goos == "darwin" || goos == "windows" {
		return "Docker Desktop (https://docs.docker.com/desktop/) or Colima"
	}
	return "Docker Engine (https://docs.docker.com/engine/install/, or `sudo apt-get install docker.io`) or Docker Desktop"
}

// runtimeCheck names a runtime finding after the runtime ("docker").
func runtimeCheck(rt Runtime) string {
	if rt.Name == "" {
		return CheckRuntime
	}
	return rt.Name
}

func title(name string) string {
	switch name {
	case RuntimeDocker:
		return "Docker"
	case RuntimePodman:
		return "Podman"
	}
	return name
}

// Rootless checks what kind needs from a rootless Docker or Podman: cgroup
// v2 with the cpu, memory and pids controllers delegated to the user. kind
// refuses to create a cluster otherwise; this says so before it tries.
func Rootless(rt Runtime, info *EngineInfo) Report {
	if info == nil || !info.Rootless() {
		return nil
	}
	name := title(rt.Name)
	if info.CgroupVersion != "2" {
		return Report{{
			Check:    CheckRootless,
			Severity: Error,
			Problem:  fmt.Sprintf("rootless %s needs cgroup v2 for kind, and this host uses cgroup v%s", name, orUnknown(info.CgroupVersion)),
			Fix:      "boot with cgroup v2 (kernel parameter `systemd.unified_cgroup_hierarchy=1`), see https://kind.sigs.k8s.io/docs/user/rootless/\n" + fixUseExisting,
		}}
	}
	delegated := info.CgroupDriver != "none" && info.MemoryLimit && info.PidsLimit && info.CPUShares
	if delegated {
		return nil
	}
	var missing []string
	if info.CgroupDriver == "none" || !info.CPUShares {
		missing = append(missing, "cpu")
	}
	if info.CgroupDriver == "none" || !info.MemoryLimit {
		missing = append(missing, "memory")
	}
	if info.CgroupDriver == "none" || !info.PidsLimit {
		missing = append(missing, "pids")
	}
	return Report{{
		Check:    CheckRootless,
		Severity: Error,
		Problem:  fmt.Sprintf("rootless %s cannot limit %s: the cgroup controllers are not delegated to your user", name, strings.Join(missing, ", ")),
		Fix: strings.Join([]string{
			"delegate them with systemd, then log out and back in:",
			"sudo mkdir -p /etc/systemd/system/user@.service.d",
			`printf '[Service]\nDelegate=yes\n' | sudo tee /etc/systemd/system/user@.service.d/delegate.conf`,
			"sudo systemctl daemon-reload",
			"(see https://kind.sigs.k8s.io/docs/user/rootless/)",
		}, "\n"),
	}}
}

func orUnknown(s string) string {
	if s == "" {
		return "1 (or unknown)"
	}
	return s
}
