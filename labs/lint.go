package labs

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// Lint loads the catalogue (builtin plus userDirs plus dirs) and returns
// every problem at once. With no dirs it reports on every lab; with dirs,
// only on the labs found in them (the rest of the catalogue still counts
// for prerequisites and duplicate ids). lab start rejects the same labs
// with the same messages: Catalog.Get returns a lab's problems.
func Lint(builtin fs.FS, userDirs []string, dirs ...string) (Problems, error) {
	c, err := LoadCatalog(builtin, append(append([]string(nil), userDirs...), dirs...)...)
	if c == nil {
		return nil, err
	}
	if len(dirs) == 0 {
		return c.Problems(), err
	}
	var out Problems
	for _, p := range c.Problems() {
		for _, d := range dirs {
			if within(p.File, d) {
				out = append(out, p)
				break
			}
		}
	}
	return out, err
}

// within reports whether file (a problem's file) is inside dir.
func within(file, dir string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.FromSlash(file))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
