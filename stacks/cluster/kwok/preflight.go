package kwok

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/preflight"
)

// Preflight check names.
const (
	CheckBinaries = "kwok-binaries"
	CheckPort     = "kwok-apiserver-port"
)

// ProbeTimeout bounds the check that kwokctl could download what is missing.
const ProbeTimeout = 3 * time.Second

// downloadProbeURL is where kwokctl downloads Kubernetes binaries from.
const downloadProbeURL = "https://dl.k8s.io/"

// Preflight implements cluster.Provider: every binary is found (or kwokctl
// can download it), found binaries are executable, and a stopped cluster
// can get its apiserver port back.
func (p *Provider) Preflight(ctx context.Context, req cluster.Request) preflight.Report {
	bins := p.Binaries()
	var r preflight.Report
	for _, c := range Components() {
		b := bins[c.Name]
		if b.Path != "" && !p.finder.exists(b.Path) {
			r = append(r, preflight.Finding{Check: CheckBinaries, Severity: preflight.Error,
				Problem: fmt.Sprintf("%s %s (from %s) is not an executable file", c.Name, b.Path, sourceName(b)),
				Fix:     fmt.Sprintf("fix the path, or unset %s and run `make testenv`", c.Env)})
		}
	}
	if bins[Kwokctl].Path == "" {
		r = append(r, preflight.Finding{Check: CheckBinaries, Severity: preflight.Error,
			Problem: "kwokctl not found in " + TestenvBinDir(p.opts.CacheDir) + " nor on $PATH",
			Fix:     kwokctlFix(p.opts.CacheDir)})
	}
	var missing []string
	for _, b := range bins.Missing() {
		if b.Name != Kwokctl {
			missing = append(missing, fmt.Sprintf("%s (%s)", b.Name, b.Env))
		}
	}
	if len(missing) > 0 {
		what := strings.Join(missing, ", ")
		pctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
		err := p.probe(pctx)
		cancel()
		if err != nil {
			r = append(r, preflight.Finding{Check: CheckBinaries, Severity: preflight.Error,
				Problem: fmt.Sprintf("not found: %s; kwokctl would download them but %s is unreachable: %v", what, downloadProbeURL, err),
				Fix: fmt.Sprintf("run `make testenv` (builds them into %s), or set each variable to a binary's path",
					TestenvBinDir(p.opts.CacheDir))})
		} else {
			r = append(r, preflight.Finding{Check: CheckBinaries, Severity: preflight.Warning,
				Problem: fmt.Sprintf("not found: %s; kwokctl will download them into %s", what, filepath.Join(p.Workdir(), "cache")),
				Fix:     "nothing to do; to use local builds run `make testenv` or set the variables"})
		}
	}
	if f, ok := p.portFinding(req.Name); ok {
		r = append(r, f)
	}
	return r
}

func sourceName(b Binary) string {
	switch b.Source {
	case SourceOption:
		return "option"
	case SourceEnv:
		return "$" + b.Env
	default:
		return b.Source
	}
}

// portFinding: a cluster that exists but is stopped (after a reboot, or
// when its processes were killed) restarts on the apiserver port recorded
// in its kwok.yaml; something else listening there would make it fail.
// New clusters get a free port from kwokctl.
func (p *Provider) portFinding(env string) (preflight.Finding, bool) {
	dir := ClusterDir(p.Workdir(), env)
	port, err := recordedPort(filepath.Join(dir, "kwok.yaml"))
	if err != nil || port == 0 {
		return preflight.Finding{}, false
	}
	procs, err := readPIDs(dir)
	if err != nil {
		return preflight.Finding{}, false
	}
	for _, pr := range running(procs) {
		if pr.Name == KubeAPIServer {
			return preflight.Finding{}, false // ours is up and holds the port
		}
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return preflight.Finding{Check: CheckPort, Severity: preflight.Error,
			Problem: fmt.Sprintf("simulated cluster %s is stopped and its apiserver port 127.0.0.1:%d is taken by another program", ClusterName(env), port),
			Fix:     fmt.Sprintf("stop the program on port %d, or run `labctl down --name %s` and `labctl up` again for a new port", port, env)}, true
	}
	_ = l.Close()
	return preflight.Finding{}, false
}

// recordedPort reads options.kubeApiserverPort from kwokctl's kwok.yaml
// (a multi-document file; the KwokctlConfiguration document holds it).
func recordedPort(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, doc := range strings.Split(string(b), "\n---") {
		var c struct {
			Kind    string `json:"kind"`
			Options struct {
				KubeApiserverPort int `json:"kubeApiserverPort"`
			} `json:"options"`
		}
		if yaml.Unmarshal([]byte(doc), &c) == nil && c.Kind == "KwokctlConfiguration" {
			return c.Options.KubeApiserverPort, nil
		}
	}
	return 0, fmt.Errorf("%s has no KwokctlConfiguration", path)
}

// probeDownloads checks that kwokctl's download site answers.
func probeDownloads(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, downloadProbeURL, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}
