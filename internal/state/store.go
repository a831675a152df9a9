package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// ErrNotFound is returned by Load when an environment has no record.
var ErrNotFound = errors.New("environment not found")

// ErrDamaged is returned by Load when a record cannot be read as one.
var ErrDamaged = errors.New("environment record is damaged")

// ErrLocked is returned by Lock when another labctl holds the environment.
var ErrLocked = errors.New("environment is locked")

var nameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$`)

// ValidateName checks an environment name: it becomes a kind cluster name and
// file names, so it must be a short DNS label.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("environment name %q is not valid: use 1-32 lowercase letters, digits or '-', starting and ending with a letter or digit", name)
	}
	return nil
}

// Store reads and writes environment records in a directory.
type Store struct {
	Dir string
}

// DefaultDir is $LABCTL_STATE_DIR, else $XDG_STATE_HOME/labctl, else
// ~/.local/state/labctl.
func DefaultDir() (string, error) {
	if d := os.Getenv("LABCTL_STATE_DIR"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "labctl"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the state directory: %w (set LABCTL_STATE_DIR)", err)
	}
	return filepath.Join(home, ".local", "state", "labctl"), nil
}

// DefaultCacheDir is labctl's cache (downloaded charts, test binaries):
// $LABCTL_CACHE_DIR, else <user cache dir>/labctl ($XDG_CACHE_HOME/labctl or
// ~/.cache/labctl on Linux).
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("LABCTL_CACHE_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the cache directory: %w (set LABCTL_CACHE_DIR)", err)
	}
	return filepath.Join(base, "labctl"), nil
}

func (s *Store) path(name string) string { return filepath.Join(s.Dir, name+".json") }

// Load reads the record of an environment.
func (s *Store) Load(name string) (*Environment, error) {
	b, err := os.ReadFile(s.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: no record of environment %q in %s (run `labctl up --name %s` first)", ErrNotFound, name, s.Dir, name)
	}
	if err != nil {
		return nil, fmt.Errorf("reading environment record: %w", err)
	}
	var env Environment
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("%w: %s: %v; run `labctl down --force --name %s` to remove the cluster the environment made and its record", ErrDamaged, s.path(name), err, name)
	}
	return &env, nil
}

// Save writes the record atomically: a temporary file in the same directory,
// synced, then renamed over the old one, so a crash never leaves half a record.
func (s *Store) Save(env *Environment) error {
	if err := ValidateName(env.Name); err != nil {
		return err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("creating state directory %s: %w", s.Dir, err)
	}
	env.APIVersion = APIVersion
	b, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.Dir, "."+env.Name+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing environment record: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("writing environment record: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing environment record: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing environment record: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path(env.Name)); err != nil {
		return fmt.Errorf("writing environment record: %w", err)
	}
	return nil
}

// Delete removes a record; a missing record is not an error.
func (s *Store) Delete(name string) error {
	if err := os.Remove(s.path(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing environment record: %w", err)
	}
	return nil
}

// List returns every record, sorted by name.
func (s *Store) List() ([]*Environment, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Environment
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".json") {
			continue
		}
		env, err := s.Load(strings.TrimSuffix(n, ".json"))
		if err != nil {
			return nil, err
		}
		out = append(out, env)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// lockAttempts bounds how often Lock reopens a lock file that a releasing
// holder removed between our open and our flock.
const lockAttempts = 10

// Lock takes the environment's exclusive lock without waiting. The returned
// function releases it. The lock is an flock(2) on <dir>/<name>.lock, so it
// is released by the kernel if labctl dies.
//
// Releasing the lock of an environment that has no record (after `down`,
// or an `up` that failed before saving one) removes the lock file, so names
// used once leave nothing behind. That is safe against a concurrent Lock:
// the file is removed while still locked, and Lock keeps a lock only when
// the file it locked is still the one at the path (else it opens again).
func (s *Store) Lock(name string) (func(), error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating state directory %s: %w", s.Dir, err)
	}
	p := s.lockPath(name)
	for range lockAttempts {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("opening lock %s: %w", p, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			holder, _ := os.ReadFile(p)
			f.Close()
			who := "another labctl process"
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(holder))); perr == nil {
				who = fmt.Sprintf("labctl process %d", pid)
			}
			return nil, fmt.Errorf("%w: %s is already working on environment %q; wait for it to finish or stop it (lock file %s)", ErrLocked, who, name, p)
		}
		if !samePath(f, p) {
			// The holder we waited on removed this file as it released it:
			// our lock is on an orphan; take the one at the path instead.
			f.Close()
			continue
		}
		_ = f.Truncate(0)
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		return func() { s.release(name, f) }, nil
	}
	return nil, fmt.Errorf("%w: the lock file %s of environment %q keeps being replaced; try again", ErrLocked, p, name)
}

func (s *Store) lockPath(name string) string { return filepath.Join(s.Dir, name+".lock") }

// release removes the lock file if the environment has no record (still
// holding the lock), then unlocks.
func (s *Store) release(name string, f *os.File) {
	if _, err := os.Stat(s.path(name)); errors.Is(err, os.ErrNotExist) {
		_ = os.Remove(s.lockPath(name))
	} else {
		_ = f.Truncate(0)
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	f.Close()
}

// samePath reports whether the open file f is still the file at path.
func samePath(f *os.File, path string) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	pi, err := os.Stat(path)
	return err == nil && os.SameFile(fi, pi)
}
