package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	"istio.io/istio/manifests"
	"sigs.k8s.io/yaml"
)

//go:embed all:fixtures
var fixtures embed.FS

// lock is the part of stacks/versions.yaml this tool reads: every Istio
// release with the addon chart versions it pins, and the charts pinned for
// all releases (zipkin).
type lock struct {
	Istio struct {
		Hub      string `json:"hub"`
		Releases []struct {
			Version    string            `json:"version"`
			GatewayAPI string            `json:"gatewayAPI"`
			Charts     map[string]string `json:"charts"`
		} `json:"releases"`
	} `json:"istio"`
	GatewayAPI struct {
		URL string `json:"url"`
	} `json:"gatewayAPI"`
	Charts map[string]struct {
		Version string `json:"version"`
	} `json:"charts"`
}

func readLock(p string) (*lock, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("reading the version lock: %w", err)
	}
	var l lock
	if err := yaml.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("version lock %s: %w", p, err)
	}
	if len(l.Istio.Releases) == 0 {
		return nil, fmt.Errorf("version lock %s has no istio.releases", p)
	}
	for i, r := range l.Istio.Releases {
		if r.Version == "" {
			return nil, fmt.Errorf("version lock %s: istio.releases[%d] has no version", p, i)
		}
	}
	if l.Istio.Hub == "" {
		l.Istio.Hub = "docker.io/istio"
	}
	return &l, nil
}

// istioVersions are the Istio releases of the lock.
func (l *lock) istioVersions() []string {
	var out []string
	for _, r := range l.Istio.Releases {
		out = append(out, r.Version)
	}
	sort.Strings(out)
	return out
}

// chartVersions maps each addon chart to every version some release of the
// lock installs (a release's pin, else the lock-wide one).
func (l *lock) chartVersions() map[string][]string {
	set := map[string]map[string]bool{}
	add := func(name, version string) {
		if version == "" {
			return
		}
		if set[name] == nil {
			set[name] = map[string]bool{}
		}
		set[name][version] = true
	}
	for name, c := range l.Charts {
		add(name, c.Version)
	}
	for _, r := range l.Istio.Releases {
		for name, version := range r.Charts {
			add(name, version)
		}
	}
	out := map[string][]string{}
	for name, vs := range set {
		out[name] = sortedKeys(vs)
	}
	return out
}

// gatewayAPIVersions are the Gateway API bundles the lock's releases use.
func (l *lock) gatewayAPIVersions() []string {
	set := map[string]bool{}
	for _, r := range l.Istio.Releases {
		if r.GatewayAPI != "" {
			set[r.GatewayAPI] = true
		}
	}
	return sortedKeys(set)
}

// istioCharts maps Istio's published chart names to their directories in
// the manifests FS.
var istioCharts = map[string]string{
	"base":    "charts/base",
	"istiod":  "charts/istio-control/istio-discovery",
	"gateway": "charts/gateway",
	"cni":     "charts/istio-cni",
	"ztunnel": "charts/ztunnel",
}

// Development defaults in Istio's values.yaml that a release build
// replaces; the repackaged charts get the release's hub and tag instead.
var (
	devHub = regexp.MustCompile(`(?m)^(\s*hub:\s*)registry\.istio\.io/testing\s*$`)
	devTag = regexp.MustCompile(`(?m)^(\s*tag:\s*)latest\s*$`)
)

// generate writes every chart and index.yaml into out.
func generate(l *lock, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(out, "*.tgz"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	// The embedded manifests are one Istio version's charts: each locked
	// release gets them repackaged under its own version, hub and tag, so
	// `labctl up --istio-version X` finds X in the repository.
	for _, version := range l.istioVersions() {
		for _, name := range sortedKeys(istioCharts) {
			c, err := loadFS(manifests.BuiltinOrDir(""), istioCharts[name], func(file string, data []byte) []byte {
				if file != "values.yaml" {
					return data
				}
				data = devHub.ReplaceAll(data, []byte("${1}"+l.Istio.Hub))
				return devTag.ReplaceAll(data, []byte("${1}"+version))
			})
			if err != nil {
				return fmt.Errorf("istio chart %s: %w", name, err)
			}
			c.Metadata.Version, c.Metadata.AppVersion = version, version
			if err := save(c, out); err != nil {
				return err
			}
		}
	}
	versions := l.chartVersions()
	for _, name := range sortedKeys(versions) {
		for _, version := range versions[name] {
			c, err := loadFS(fixtures, path.Join("fixtures", name), nil)
			if err != nil {
				return fmt.Errorf("no fixture chart for %s from the version lock (add hack/testenv/chartrepo/fixtures/%s): %w", name, name, err)
			}
			c.Metadata.Version = version
			if err := save(c, out); err != nil {
				return err
			}
		}
	}
	// Relative URLs: the repository is served on whatever port a test picks.
	idx, err := repo.IndexDirectory(out, "")
	if err != nil {
		return fmt.Errorf("indexing %s: %w", out, err)
	}
	idx.SortEntries()
	if err := idx.WriteFile(filepath.Join(out, "index.yaml"), 0o644); err != nil {
		return err
	}
	for _, name := range sortedKeys(idx.Entries) {
		for _, v := range idx.Entries[name] {
			fmt.Printf("%s %s\n", name, v.Version)
		}
	}
	return nil
}

// loadFS loads the chart in directory dir of fsys; edit may rewrite files.
func loadFS(fsys fs.FS, dir string, edit func(file string, data []byte) []byte) (*chart.Chart, error) {
	var files []*archive.BufferedFile
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		rel := p[len(dir)+1:]
		if edit != nil {
			data = edit(rel, data)
		}
		files = append(files, &archive.BufferedFile{Name: rel, Data: data})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s is empty", dir)
	}
	return loader.LoadFiles(files)
}

func save(c *chart.Chart, out string) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("chart %s: %w", c.Name(), err)
	}
	if _, err := chartutil.Save(c, out); err != nil {
		return fmt.Errorf("packaging chart %s: %w", c.Name(), err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
