package kwok

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
)

// Istio's control plane as a process next to the simulated control plane:
// pilot-discovery built by `make testenv`, run against the cluster's API
// server with the cluster's admin kubeconfig, every port on 127.0.0.1.
// Its webhooks are reached by URL (https://localhost:<port>/inject and
// /validate), the way Istio's charts wire a remote istiod; it makes its own
// CA and a serving certificate for localhost and 127.0.0.1.
const (
	// IstiodBinary is the binary's name in the test-environment cache.
	IstiodBinary = "pilot-discovery"
	// IstiodReadyTimeout bounds istiod's start until /ready answers.
	IstiodReadyTimeout = 2 * time.Minute
	// IstiodStopTimeout bounds its exit after SIGTERM, before SIGKILL.
	IstiodStopTimeout = 15 * time.Second
	// IstiodPortsFreeTimeout bounds the wait for a dead istiod's ports to be
	// released: a killed multi-threaded process reads as dead (its main
	// thread a zombie) while its other threads still hold its sockets.
	IstiodPortsFreeTimeout = 10 * time.Second
	// IstiodNamespace is where istiod keeps its CA and reads its mesh config.
	IstiodNamespace = "istio-system"
	istiodPoll      = 200 * time.Millisecond
)

// IstiodPorts are istiod's loopback ports.
type IstiodPorts struct {
	HTTPS      int `json:"https"`      // webhooks (15017 in a pod)
	GRPC       int `json:"grpc"`       // xDS, plain (15010)
	SecureGRPC int `json:"secureGRPC"` // xDS, TLS (15012)
	HTTP       int `json:"http"`       // debug and /ready (8080)
	Monitoring int `json:"monitoring"` // metrics (15014)
}

// InjectionURL and ValidationURL are the webhook URLs for Istio's charts
// (istiodRemote.injectionURL, base.validationURL).
func (p IstiodPorts) InjectionURL() string {
	return "https://" + net.JoinHostPort("localhost", strconv.Itoa(p.HTTPS)) + "/inject"
}

func (p IstiodPorts) ValidationURL() string {
	return "https://" + net.JoinHostPort("localhost", strconv.Itoa(p.HTTPS)) + "/validate"
}

// IstiodDir holds istiod's pid file, ports and log for one cluster.
func IstiodDir(clusterDir string) string { return filepath.Join(clusterDir, "istiod") }

// IstiodEnv names the pilot-discovery binary, like KwokctlEnv names kwokctl.
const IstiodEnv = "LABCTL_ISTIOD_BINARY"

// IstiodPath is pilot-discovery from Options.Binaries[IstiodBinary], else
// $LABCTL_ISTIOD_BINARY, else the test-environment cache, or "" when none
// is an executable file (`make testenv` has not built it).
func (p *Provider) IstiodPath() string {
	path := p.opts.Binaries[IstiodBinary]
	if path == "" {
		path = os.Getenv(IstiodEnv)
	}
	if path == "" {
		path = filepath.Join(TestenvBinDir(p.opts.CacheDir), IstiodBinary)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
		return path
	}
	return ""
}

// IstiodOptions configure StartIstiod.
type IstiodOptions struct {
	// Ambient turns on istiod's ambient mode (PILOT_ENABLE_AMBIENT).
	Ambient bool
}

var _ cluster.ControlPlaneRunner = (*Provider)(nil)

// ReserveControlPlane implements cluster.ControlPlaneRunner: it records
// istiod's ports for environment env, so the mesh charts can name its
// webhook URLs before it starts. A recorded istiod keeps its ports (one
// that runs in the other mode is stopped, to start again in this one); a
// dead one's ports are taken again only if they are still free.
func (p *Provider) ReserveControlPlane(ctx context.Context, env, mode string) (*cluster.ControlPlane, string, error) {
	if p.IstiodPath() == "" {
		return nil, fmt.Sprintf("no pilot-discovery in %s or $%s (`make testenv` builds it)", TestenvBinDir(p.opts.CacheDir), IstiodEnv), nil
	}
	ambient := mode == stacks.ModeAmbient
	idir := IstiodDir(ClusterDir(p.Workdir(), env))
	if err := os.MkdirAll(idir, 0o700); err != nil {
		return nil, "", fmt.Errorf("creating %s: %w", idir, err)
	}
	unlock, err := lockPorts(ctx, p.portLock, PortLockTimeout)
	if err != nil {
		return nil, "", err
	}
	defer unlock()
	rec, err := readIstiod(idir)
	switch {
	case err == nil && alive(rec.PID) && rec.Ambient == ambient:
		return controlPlane(rec.Ports), "", nil
	case err == nil && alive(rec.PID):
		if err := p.stopIstiod(ctx, rec.PID); err != nil {
			return nil, "", err
		}
	}
	if err != nil || !portsFree(rec.Ports) {
		free, err := freePorts(5)
		if err != nil {
			return nil, "", err
		}
		rec.Ports = IstiodPorts{HTTPS: int(free[0]), GRPC: int(free[1]), SecureGRPC: int(free[2]), HTTP: int(free[3]), Monitoring: int(free[4])}
	}
	rec.PID, rec.Ambient = 0, ambient
	if err := writeRecord(idir, rec); err != nil {
		return nil, "", err
	}
	return controlPlane(rec.Ports), "", nil
}

func controlPlane(p IstiodPorts) *cluster.ControlPlane {
	return &cluster.ControlPlane{InjectionURL: p.InjectionURL(), ValidationURL: p.ValidationURL()}
}

// StartControlPlane implements cluster.ControlPlaneRunner: it starts the
// reserved istiod (again, after a crash) in the mode it was reserved for.
func (p *Provider) StartControlPlane(ctx context.Context, env string) (string, error) {
	idir := IstiodDir(ClusterDir(p.Workdir(), env))
	rec, err := readIstiod(idir)
	if err != nil {
		return "", fmt.Errorf("istiod of %s was not reserved: %w", env, err)
	}
	verb := "running"
	if !alive(rec.PID) {
		verb = "started"
	}
	ports, err := p.StartIstiod(ctx, env, IstiodOptions{Ambient: rec.Ambient})
	if err != nil {
		return "", err
	}
	got, _ := readIstiod(idir)
	return fmt.Sprintf("istiod %s (pilot-discovery, pid %d; webhooks at https://localhost:%d)", verb, got.PID, ports.HTTPS), nil
}

// StartIstiod starts istiod for environment env unless it runs already,
// and waits until it is ready. It listens on the ports ReserveControlPlane
// recorded, else on new free ones. Its objects (the istio-system
// namespace, the istiod chart's istio-sidecar-injector and istio
// ConfigMaps) must exist first: istiod skips injection when the injector
// configuration is missing at start-up.
func (p *Provider) StartIstiod(ctx context.Context, env string, o IstiodOptions) (IstiodPorts, error) {
	bin := p.IstiodPath()
	if bin == "" {
		return IstiodPorts{}, fmt.Errorf("pilot-discovery not found in %s: run `make testenv`, or set %s", TestenvBinDir(p.opts.CacheDir), IstiodEnv)
	}
	dir := ClusterDir(p.Workdir(), env)
	idir := IstiodDir(dir)
	rec, recErr := readIstiod(idir)
	if recErr == nil && alive(rec.PID) {
		return rec.Ports, waitIstiodReady(ctx, rec.Ports, rec.PID, idir)
	}
	if err := os.MkdirAll(idir, 0o700); err != nil {
		return IstiodPorts{}, fmt.Errorf("creating %s: %w", idir, err)
	}
	// Held until istiod listens: no other start may pick the same ports.
	unlock, err := lockPorts(ctx, p.portLock, PortLockTimeout)
	if err != nil {
		return IstiodPorts{}, err
	}
	defer unlock()
	ports := rec.Ports
	if recErr != nil {
		free, err := freePorts(5)
		if err != nil {
			return IstiodPorts{}, err
		}
		ports = IstiodPorts{HTTPS: int(free[0]), GRPC: int(free[1]), SecureGRPC: int(free[2]), HTTP: int(free[3]), Monitoring: int(free[4])}
	} else if err := wait.PollUntilContextTimeout(ctx, istiodPoll, IstiodPortsFreeTimeout, true, func(context.Context) (bool, error) {
		return portsFree(ports), nil
	}); err != nil {
		return IstiodPorts{}, fmt.Errorf("istiod's reserved ports %v on %s are still taken by another process after %s: run `labctl up` again to reserve new ones", ports, BindAddress, IstiodPortsFreeTimeout)
	}
	logPath := filepath.Join(idir, "istiod.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return IstiodPorts{}, fmt.Errorf("opening istiod's log: %w", err)
	}
	defer logf.Close()
	addr := func(port int) string { return net.JoinHostPort(BindAddress, strconv.Itoa(port)) }
	cmd := exec.Command(bin, "discovery",
		"--kubeconfig", filepath.Join(dir, kwokctlKubeconfig),
		"--httpsAddr", addr(ports.HTTPS), "--grpcAddr", addr(ports.GRPC), "--secureGRPCAddr", addr(ports.SecureGRPC),
		"--httpAddr", addr(ports.HTTP), "--monitoringAddr", addr(ports.Monitoring))
	// istiod's default paths are relative (./etc/cacerts, ./var/run/secrets/istio-dns,
	// ./var/lib/istio/inject): they resolve inside its own directory.
	cmd.Dir = idir
	cmd.Env = append(os.Environ(),
		"POD_NAMESPACE="+IstiodNamespace, "REVISION=default",
		// The serving certificate must name what the API server dials
		// (pilot/pkg/bootstrap/server.go getDNSNames).
		"ISTIOD_CUSTOM_HOST=localhost,127.0.0.1",
		"PILOT_ENABLE_AMBIENT="+strconv.FormatBool(o.Ambient))
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group: it outlives this labctl run (and its Ctrl-C)
	// like the cluster's other processes; `down` stops it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return IstiodPorts{}, fmt.Errorf("starting %s: %w", bin, err)
	}
	pid := cmd.Process.Pid
	_ = cmd.Process.Release()
	if err := writeRecord(idir, istiodRecord{PID: pid, Ports: ports, Ambient: o.Ambient}); err != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		return IstiodPorts{}, err
	}
	return ports, waitIstiodReady(ctx, ports, pid, idir)
}

// portsFree reports whether every one of istiod's ports can be bound now.
func portsFree(p IstiodPorts) bool {
	for _, port := range []int{p.HTTPS, p.GRPC, p.SecureGRPC, p.HTTP, p.Monitoring} {
		if port <= 0 {
			return false
		}
		l, err := net.Listen("tcp", net.JoinHostPort(BindAddress, strconv.Itoa(port)))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// waitIstiodReady polls istiod's /ready; a process that exits meanwhile
// fails at once with its log.
func waitIstiodReady(ctx context.Context, ports IstiodPorts, pid int, idir string) error {
	url := "http://" + net.JoinHostPort(BindAddress, strconv.Itoa(ports.HTTP)) + "/ready"
	client := &http.Client{Timeout: 2 * time.Second}
	var last string
	err := wait.PollUntilContextTimeout(ctx, istiodPoll, IstiodReadyTimeout, true, func(ctx context.Context) (bool, error) {
		if !alive(pid) {
			return false, fmt.Errorf("istiod (pid %d) exited while starting: see %s", pid, filepath.Join(idir, "istiod.log"))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return false, err
		}
		resp, err := client.Do(req)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		resp.Body.Close()
		last = resp.Status
		return resp.StatusCode == http.StatusOK, nil
	})
	if err != nil && !strings.Contains(err.Error(), "exited") {
		return fmt.Errorf("istiod (pid %d) not ready within %s (last: %s): see %s: %w", pid, IstiodReadyTimeout, last, filepath.Join(idir, "istiod.log"), err)
	}
	return err
}

// istiodRecord is istiod.json: its ports, its pid (0 while only reserved)
// and its mode.
type istiodRecord struct {
	PID     int         `json:"pid"`
	Ports   IstiodPorts `json:"ports"`
	Ambient bool        `json:"ambient,omitempty"`
}

func writeIstiod(idir string, ports IstiodPorts, pid int) error {
	return writeRecord(idir, istiodRecord{PID: pid, Ports: ports})
}

func writeRecord(idir string, r istiodRecord) error {
	b, _ := json.Marshal(r)
	if err := os.WriteFile(filepath.Join(idir, "istiod.json"), b, 0o600); err != nil {
		return fmt.Errorf("recording istiod: %w", err)
	}
	return nil
}

func readIstiod(idir string) (istiodRecord, error) {
	b, err := os.ReadFile(filepath.Join(idir, "istiod.json"))
	if err != nil {
		return istiodRecord{}, err
	}
	var r istiodRecord
	if err := json.Unmarshal(b, &r); err != nil || r.PID < 0 || r.Ports.HTTPS <= 0 {
		return istiodRecord{}, fmt.Errorf("%s is not an istiod record: %v", filepath.Join(idir, "istiod.json"), err)
	}
	return r, nil
}

// istiodProblem reports a recorded istiod that is not running: one that
// exited, or one reserved by an `up` that did not get to start it. The
// webhooks point at it, and fail closed.
func istiodProblem(clusterDir string) []cluster.Problem {
	idir := IstiodDir(clusterDir)
	rec, err := readIstiod(idir)
	if err != nil || alive(rec.PID) {
		return nil
	}
	msg := fmt.Sprintf("process %d exited", rec.PID)
	if rec.PID == 0 {
		msg = "reserved its ports but never started"
	}
	return []cluster.Problem{{Component: "istiod", Message: msg, Log: filepath.Join(idir, "istiod.log")}}
}

// StopIstiod stops the environment's istiod, if it runs, and removes its
// files.
func (p *Provider) StopIstiod(ctx context.Context, env string) error {
	idir := IstiodDir(ClusterDir(p.Workdir(), env))
	rec, err := readIstiod(idir)
	if errors.Is(err, os.ErrNotExist) {
		return os.RemoveAll(idir)
	}
	if err == nil {
		if err := p.stopIstiod(ctx, rec.PID); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(idir); err != nil {
		return fmt.Errorf("removing istiod's files %s: %w", idir, err)
	}
	return nil
}

// stopIstiod ends process pid: SIGTERM, then SIGKILL after
// IstiodStopTimeout.
func (p *Provider) stopIstiod(ctx context.Context, pid int) error {
	if !alive(pid) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	proc := []Process{{Name: "istiod", PID: pid}}
	if werr := waitGone(ctx, proc, IstiodStopTimeout); werr != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		if werr := waitGone(ctx, proc, ProcessExitTimeout); werr != nil {
			return werr
		}
	}
	return nil
}
