package kwok

import (
	"os"
	"os/exec"
	"path/filepath"
)

// Component is one binary a simulated cluster needs.
type Component struct {
	// Name is the binary's file name in the test-environment cache.
	Name string
	// Env is the environment variable that points at the binary. For the
	// control-plane components it is kwokctl's own variable.
	Env string
	// Flag is the `kwokctl create cluster` flag taking the path; empty when
	// kwokctl only reads the environment variable (kubectl) or when the
	// binary is kwokctl itself.
	Flag string
	// OnPath means $PATH is searched as a last resort.
	OnPath bool
}

// Component names.
const (
	Kwokctl               = "kwokctl"
	KubeAPIServer         = "kube-apiserver"
	KubeControllerManager = "kube-controller-manager"
	KubeScheduler         = "kube-scheduler"
	KwokController        = "kwok"
	Etcd                  = "etcd"
	Kubectl               = "kubectl"
)

// KwokctlEnv names the kwokctl binary; kwokctl has no variable for itself.
const KwokctlEnv = "LABCTL_KWOKCTL_BINARY"

// Components returns every binary, kwokctl first. The environment variable
// names are kwokctl's (sigs.k8s.io/kwok pkg/config/vars.go, v0.8.0). A
// function, so no caller can change the list for everyone.
func Components() []Component {
	return []Component{
		{Name: Kwokctl, Env: KwokctlEnv, OnPath: true},
		{Name: KubeAPIServer, Env: "KWOK_KUBE_APISERVER_BINARY", Flag: "--kube-apiserver-binary"},
		{Name: KubeControllerManager, Env: "KWOK_KUBE_CONTROLLER_MANAGER_BINARY", Flag: "--kube-controller-manager-binary"},
		{Name: KubeScheduler, Env: "KWOK_KUBE_SCHEDULER_BINARY", Flag: "--kube-scheduler-binary"},
		{Name: KwokController, Env: "KWOK_CONTROLLER_BINARY", Flag: "--kwok-controller-binary"},
		{Name: Etcd, Env: "KWOK_ETCD_BINARY", Flag: "--etcd-binary"},
		// kwokctl probes the apiserver with kubectl from $PATH, else from
		// KWOK_KUBECTL_BINARY, else it downloads one.
		{Name: Kubectl, Env: "KWOK_KUBECTL_BINARY", OnPath: true},
	}
}

// Where a binary was found.
const (
	SourceOption = "option"
	SourceEnv    = "env"
	SourceCache  = "cache"
	SourcePath   = "PATH"
	// SourceNone means not found: kwokctl downloads it (needs internet).
	SourceNone = ""
)

// Binary is a component and where its binary is.
type Binary struct {
	Component
	// Path is empty when the binary was not found.
	Path   string
	Source string
}

// Binaries maps component names to binaries.
type Binaries map[string]Binary

// TestenvBinDir is where `make testenv` (hack/testenv/build.sh) puts the
// binaries under labctl's cache directory.
func TestenvBinDir(cacheDir string) string { return filepath.Join(cacheDir, "testenv", "bin") }

// finder looks binaries up; its functions are replaceable in tests.
type finder struct {
	explicit map[string]string
	getenv   func(string) string
	exists   func(string) bool
	lookPath func(string) (string, error)
	cacheBin string
}

func newFinder(explicit map[string]string, cacheDir string) finder {
	return finder{
		explicit: explicit,
		getenv:   os.Getenv,
		exists:   isExecutable,
		lookPath: exec.LookPath,
		cacheBin: TestenvBinDir(cacheDir),
	}
}

// resolve finds every component: explicit option, environment variable,
// cache directory, then $PATH for the components that allow it.
func (f finder) resolve() Binaries {
	out := make(Binaries, len(Components()))
	for _, c := range Components() {
		out[c.Name] = f.find(c)
	}
	return out
}

func (f finder) find(c Component) Binary {
	if p := f.explicit[c.Name]; p != "" {
		return Binary{Component: c, Path: p, Source: SourceOption}
	}
	if p := f.getenv(c.Env); p != "" {
		return Binary{Component: c, Path: p, Source: SourceEnv}
	}
	if f.cacheBin != "" {
		if p := filepath.Join(f.cacheBin, c.Name); f.exists(p) {
			return Binary{Component: c, Path: p, Source: SourceCache}
		}
	}
	if c.OnPath {
		if p, err := f.lookPath(c.Name); err == nil {
			return Binary{Component: c, Path: p, Source: SourcePath}
		}
	}
	return Binary{Component: c}
}

// isExecutable reports whether p is a regular file with an execute bit.
func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// Missing returns the components that were not found, in Components order.
func (b Binaries) Missing() []Binary {
	var out []Binary
	for _, c := range Components() {
		if bin := b[c.Name]; bin.Path == "" {
			out = append(out, bin)
		}
	}
	return out
}
