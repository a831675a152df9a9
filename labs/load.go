package labs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/labctl/labctl/internal/strictyaml"
)

// Decode parses lab.yaml content strictly (unknown fields, wrong types and
// bad YAML are errors with file:line) without validating it; file names the
// source in problems. Most callers want Load, LoadDir or a Catalog.
func Decode(file string, data []byte) (*Lab, error) {
	var l Lab
	pos, err := strictyaml.Decode(file, data, &l, strictyaml.Options{})
	if err != nil {
		var ps Problems
		for _, p := range strictyaml.Problems(file, err) {
			ps = append(ps, p)
		}
		return nil, ps
	}
	l.pos = pos
	return &l, nil
}

// Load reads lab.yaml from fsys (the lab folder), decodes and validates
// it. source is how problems name the folder: a path on disk or
// "labs/samples/NAME". dir is the folder on disk ("" for embedded labs);
// it lets path checks see symlinks that point out of the folder. On
// problems, the lab (when it decoded) is returned with them.
func Load(fsys fs.FS, source, dir string) (*Lab, error) {
	file := path.Join(filepath.ToSlash(strings.TrimPrefix(source, builtinPrefix)), FileName)
	data, err := fs.ReadFile(fsys, FileName)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, Problems{{File: file, Message: "no " + FileName + " in the lab folder"}}
		}
		return nil, Problems{{File: file, Message: err.Error()}}
	}
	l, err := Decode(file, data)
	if err != nil {
		return nil, err
	}
	l.FS, l.Source, l.Dir = fsys, source, dir
	if ps := l.Validate(); len(ps) > 0 {
		return l, ps
	}
	return l, nil
}

// LoadDir loads the lab in the folder dir on disk.
func LoadDir(dir string) (*Lab, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("lab folder: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("lab folder %s is not a directory: pass the folder that holds %s", dir, FileName)
	}
	return Load(os.DirFS(dir), dir, dir)
}

// File returns how problems and messages name the lab file rel.
func (l *Lab) File(rel string) string {
	src := strings.TrimPrefix(l.Source, builtinPrefix)
	return path.Join(filepath.ToSlash(src), rel)
}

// Line returns the line a field path is written on in lab.yaml, 0 if the
// field is not written.
func (l *Lab) Line(field string) int { return l.pos[field] }

// ReadFile returns the content of a file of the lab folder. The path must
// be relative, stay inside the folder (no "..", no symlink pointing out).
func (l *Lab) ReadFile(rel string) ([]byte, error) {
	if err := l.checkPath(rel); err != nil {
		return nil, err
	}
	if l.FS == nil {
		return nil, fmt.Errorf("%s: the lab has no files (it was decoded, not loaded)", rel)
	}
	b, err := fs.ReadFile(l.FS, path.Clean(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s does not exist in the lab folder %s", rel, l.File(""))
	}
	return b, err
}

// checkPath rejects paths that leave the lab folder.
func (l *Lab) checkPath(rel string) error {
	switch {
	case rel == "":
		return errors.New("empty path")
	case filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, `\`):
		return fmt.Errorf("path %q is absolute: use a path relative to the lab folder", rel)
	case strings.Contains(rel, `\`):
		return fmt.Errorf("path %q uses backslashes: use / between folders", rel)
	}
	for _, part := range strings.Split(rel, "/") {
		if part == ".." {
			return fmt.Errorf("path %q escapes the lab folder (..): keep every file inside the folder", rel)
		}
	}
	clean := path.Clean(rel)
	if !fs.ValidPath(clean) {
		return fmt.Errorf("path %q is not a valid path inside the lab folder", rel)
	}
	if l.Dir == "" {
		return nil
	}
	root, err := filepath.EvalSymlinks(l.Dir)
	if err != nil {
		return fmt.Errorf("lab folder %s: %w", l.Dir, err)
	}
	real, err := filepath.EvalSymlinks(filepath.Join(l.Dir, filepath.FromSlash(clean)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // reported as missing by the reader
		}
		return fmt.Errorf("path %q: %w", rel, err)
	}
	if r, err := filepath.Rel(root, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return fmt.Errorf("path %q is a symlink to %s, outside the lab folder: copy the file into the folder", rel, real)
	}
	return nil
}
