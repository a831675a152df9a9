package dashboards

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.json
var FS embed.FS

// Names lists the dashboards (file names without .json), sorted.
func Names() []string {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, strings.TrimSuffix(e.Name(), ".json"))
		}
	}
	sort.Strings(names)
	return names
}

// Get returns the JSON of the dashboard called name.
func Get(name string) ([]byte, error) {
	b, err := FS.ReadFile(name + ".json")
	if err != nil {
		return nil, fmt.Errorf("dashboard %q is not embedded: use one of %s", name, strings.Join(Names(), ", "))
	}
	return b, nil
}
