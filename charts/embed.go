package charts

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
)

// FS holds every chart directory. The all: prefix keeps files that start with
// "_" or "." (templates/_helpers.tpl, .helmignore).
//
//go:embed all:bookinfo all:travels all:boutique all:httpbin all:fortio-client all:traffic
var FS embed.FS

// Names lists the embedded charts, sorted.
func Names() []string {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// Load returns the embedded chart called name, loaded with Helm's v2 chart
// loader exactly as if it had been read from a directory.
func Load(name string) (*chart.Chart, error) {
	if !slices.Contains(Names(), name) {
		return nil, fmt.Errorf("chart %q is not embedded in labctl: use one of %s", name, strings.Join(Names(), ", "))
	}
	var files []*archive.BufferedFile
	err := fs.WalkDir(FS, name, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		data, err := FS.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, name+"/")
		files = append(files, &archive.BufferedFile{Name: rel, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read embedded chart %q: %w", name, err)
	}
	c, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("load embedded chart %q: %w", name, err)
	}
	return c, nil
}
