package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// CheckOutputFile makes sure a report can be written to path (given by
// flag, e.g. "--junit") before any work starts, so a long run never ends
// with its report lost to a missing directory or a read-only file. "-"
// (stdout) and "" (not asked for) are always fine. Nothing is left behind:
// an existing file is not truncated, a probe file is removed.
func CheckOutputFile(flag, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	fail := func(why string) error {
		return fmt.Errorf("%s %s: %s; fix the path before running (nothing was done)", flag, path, why)
	}
	dir := filepath.Dir(path)
	di, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fail(fmt.Sprintf("directory %s does not exist", dir))
	case err != nil:
		return fail(err.Error())
	case !di.IsDir():
		return fail(fmt.Sprintf("%s is not a directory", dir))
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return fail("is a directory")
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fail("cannot be written: " + err.Error())
		}
		return f.Close()
	}
	probe, err := os.CreateTemp(dir, ".labctl-write-check-*")
	if err != nil {
		return fail(fmt.Sprintf("directory %s is not writable: %v", dir, err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}
