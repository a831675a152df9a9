package preflight

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// Container runtimes kind can drive.
const (
	RuntimeDocker  = "docker"
	RuntimePodman  = "podman"
	RuntimeNerdctl = "nerdctl"
)

// Default API sockets.
const (
	defaultDockerSocket     = "unix:///var/run/docker.sock"
	defaultPodmanRootSocket = "unix:///run/podman/podman.sock"
)

// Runtime is the container runtime kind will use and where its API listens.
type Runtime struct {
	// Name is docker, podman or nerdctl; "" when none is installed.
	Name string
	// Endpoint is the runtime's API address (unix://, tcp://, ssh://,
	// npipe://); "" when the runtime has no API labctl can ask (nerdctl).
	Endpoint string
	// Source says where Endpoint came from, for messages: "DOCKER_HOST",
	// `docker context "colima"`, "default".
	Source string
	// GOOS is the host OS; fixes differ between Linux and macOS.
	GOOS string
}

// Env is what runtime detection reads from the host; tests fake it.
type Env struct {
	Getenv   func(string) string
	LookPath func(string) (string, error)
	ReadFile func(string) ([]byte, error)
	HomeDir  string
	GOOS     string
	// UID is the user's id: rootless Podman listens in XDG_RUNTIME_DIR.
	UID int
}

// HostEnv is the real host environment.
func HostEnv() Env {
	home, _ := os.UserHomeDir()
	return Env{Getenv: os.Getenv, LookPath: exec.LookPath, ReadFile: os.ReadFile, HomeDir: home, GOOS: runtime.GOOS, UID: os.Getuid()}
}

// DetectRuntime picks the runtime the way kind does: KIND_EXPERIMENTAL_PROVIDER
// when set, else the first of docker, nerdctl, podman found on PATH. It runs
// no commands (kind's own detection runs `docker -v`); a `docker` that is
// really Podman's shim is treated as Docker, whose socket Podman then serves.
func DetectRuntime(env Env) Runtime {
	rt := Runtime{GOOS: env.GOOS}
	switch p := env.Getenv("KIND_EXPERIMENTAL_PROVIDER"); p {
	case RuntimeDocker, RuntimePodman, RuntimeNerdctl:
		rt.Name = p
	default:
		for _, name := range []string{RuntimeDocker, RuntimeNerdctl, RuntimePodman} {
			if _, err := env.LookPath(name); err == nil {
				rt.Name = name
				break
			}
		}
	}
	switch rt.Name {
	case RuntimeDocker:
		rt.Endpoint, rt.Source = dockerEndpoint(env)
	case RuntimePodman:
		rt.Endpoint, rt.Source = podmanEndpoint(env)
	}
	return rt
}

// dockerEndpoint resolves the Docker API address like the docker CLI:
// DOCKER_HOST, then the current docker context (DOCKER_CONTEXT or
// currentContext in config.json: Docker Desktop, Colima, OrbStack and
// rootless Docker all use contexts), then /var/run/docker.sock.
func dockerEndpoint(env Env) (endpoint, source string) {
	if h := env.Getenv("DOCKER_HOST"); h != "" {
		return h, "DOCKER_HOST"
	}
	cfgDir := env.Getenv("DOCKER_CONFIG")
	if cfgDir == "" {
		cfgDir = filepath.Join(env.HomeDir, ".docker")
	}
	name := env.Getenv("DOCKER_CONTEXT")
	if name == "" {
		if b, err := env.ReadFile(filepath.Join(cfgDir, "config.json")); err == nil {
			var cfg struct {
				CurrentContext string `json:"currentContext"`
			}
			if json.Unmarshal(b, &cfg) == nil {
				name = cfg.CurrentContext
			}
		}
	}
	if name != "" && name != "default" {
		sum := sha256.Sum256([]byte(name))
		meta := filepath.Join(cfgDir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json")
		if b, err := env.ReadFile(meta); err == nil {
			var m struct {
				Endpoints map[string]struct {
					Host string `json:"Host"`
				} `json:"Endpoints"`
			}
			if json.Unmarshal(b, &m) == nil && m.Endpoints["docker"].Host != "" {
				return m.Endpoints["docker"].Host, `docker context "` + name + `"`
			}
		}
	}
	return defaultDockerSocket, "default"
}

// podmanEndpoint is CONTAINER_HOST, else the rootless user socket, else the
// system socket.
func podmanEndpoint(env Env) (endpoint, source string) {
	if h := env.Getenv("CONTAINER_HOST"); h != "" {
		return h, "CONTAINER_HOST"
	}
	if d := env.Getenv("XDG_RUNTIME_DIR"); d != "" && env.UID != 0 {
		return "unix://" + filepath.Join(d, "podman", "podman.sock"), "default"
	}
	return defaultPodmanRootSocket, "default"
}
