// Package embedfs reads named files out of the file systems labctl embeds
// (values files, dashboards, built-in stacks), with errors that list what
// is there.
package embedfs

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Names lists the files in dir with extension ext (".yaml"), without the
// extension, sorted.
func Names(fsys fs.FS, dir, ext string) []string {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ext) {
			names = append(names, strings.TrimSuffix(e.Name(), ext))
		}
	}
	sort.Strings(names)
	return names
}

// Read returns dir/name+ext; what names the kind of file in the error
// ("values file", "dashboard").
func Read(fsys fs.FS, dir, ext, what, name string) ([]byte, error) {
	b, err := fs.ReadFile(fsys, path.Join(dir, name+ext))
	if err != nil {
		return nil, fmt.Errorf("%s %q is not embedded: use one of %s", what, name, strings.Join(Names(fsys, dir, ext), ", "))
	}
	return b, nil
}
