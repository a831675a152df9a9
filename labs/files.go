package labs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Files lists the lab folder's files (slash paths, sorted), lab.yaml
// included.
func (l *Lab) Files() ([]string, error) {
	if l.FS == nil {
		return nil, errors.New("the lab has no files (it was decoded, not loaded)")
	}
	var files []string
	err := fs.WalkDir(l.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() || (l.Dir != "" && d.Type()&fs.ModeSymlink != 0 && l.checkPath(p) == nil) {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// Export writes the lab's files below dir (created if missing), so the
// learner can `kubectl apply -f` the manifests the instructions show. A
// file that exists with other content is an error unless overwrite is set;
// nothing is written then. It returns the paths written.
func (l *Lab) Export(dir string, overwrite bool) ([]string, error) {
	files, err := l.Files()
	if err != nil {
		return nil, err
	}
	contents := make([][]byte, len(files))
	var conflicts []string
	for i, f := range files {
		if contents[i], err = l.ReadFile(f); err != nil {
			return nil, err
		}
		target := filepath.Join(dir, filepath.FromSlash(f))
		if old, err := os.ReadFile(target); err == nil && !bytes.Equal(old, contents[i]) {
			conflicts = append(conflicts, target)
		}
	}
	if len(conflicts) > 0 && !overwrite {
		return nil, fmt.Errorf("these files exist with other content: %s; pass --force to overwrite them, or another folder",
			strings.Join(conflicts, ", "))
	}
	var written []string
	for i, f := range files {
		target := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return written, fmt.Errorf("creating %s: %w", filepath.Dir(target), err)
		}
		if err := os.WriteFile(target, contents[i], 0o644); err != nil {
			return written, fmt.Errorf("writing %s: %w", target, err)
		}
		written = append(written, target)
	}
	return written, nil
}

// SolutionFiles lists the manifest files step i's solution applies or
// deletes (0-based), in order, without repeats.
func (l *Lab) SolutionFiles(i int) []string {
	if i < 0 || i >= len(l.Spec.Steps) {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, a := range l.Spec.Steps[i].Solution {
		var f string
		switch {
		case a.Apply != nil:
			f = a.Apply.File
		case a.Delete != nil:
			f = a.Delete.File
		}
		if f != "" && !seen[path.Clean(f)] {
			seen[path.Clean(f)] = true
			out = append(out, f)
		}
	}
	return out
}
