package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// LabProgress is where a learner is in the lab that is active in an
// environment. The lab engine keeps it in the environment record, so it
// survives restarts of labctl and of the machine.
type LabProgress struct {
	// Lab is the lab's id, Source where it was loaded from (a directory or
	// "builtin:...").
	Lab    string `json:"lab"`
	Source string `json:"source,omitempty"`
	// Step is the current step, 1-based.
	Step  int            `json:"step"`
	Steps []StepProgress `json:"steps"`
	// ApplySet names the parent object that tracks what the lab applied
	// ("<namespace>/<name>" of a ConfigMap).
	ApplySet string `json:"applySet,omitempty"`
	// Labels are the namespace labels the lab found at start and may
	// change, so stop can put them back (Value "" with Absent: not set).
	Labels []LabLabel `json:"labels,omitempty"`
	// Traffic is the background traffic setting the lab found.
	Traffic   *Traffic  `json:"trafficBefore,omitempty"`
	StartedAt time.Time `json:"startedAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// LabLabel is a namespace label as the lab found it.
type LabLabel struct {
	Namespace string `json:"namespace"`
	Key       string `json:"key"`
	Value     string `json:"value,omitempty"`
	Absent    bool   `json:"absent,omitempty"`
}

// StepProgress is one step's record.
type StepProgress struct {
	ID string `json:"id"`
	// Done is set when the step's checks passed.
	Done   bool       `json:"done,omitempty"`
	DoneAt *time.Time `json:"doneAt,omitempty"`
	// Solved is set when the reference solution was applied for the learner.
	Solved bool `json:"solved,omitempty"`
	// HintsShown counts the hints the learner has seen.
	HintsShown int `json:"hintsShown,omitempty"`
	// Checks are the results of the last check run.
	Checks    []CheckRecord `json:"checks,omitempty"`
	CheckedAt *time.Time    `json:"checkedAt,omitempty"`
}

// CheckRecord is one check result as kept in the record.
type CheckRecord struct {
	Name     string    `json:"name"`
	Type     string    `json:"type,omitempty"`
	Status   string    `json:"status"`
	Reason   string    `json:"reason,omitempty"`
	Observed string    `json:"observed,omitempty"`
	Expected string    `json:"expected,omitempty"`
	Message  string    `json:"message,omitempty"`
	Seconds  float64   `json:"durationSeconds"`
	At       time.Time `json:"at"`
}

// LabResult is what an environment remembers of a lab after it stopped.
type LabResult struct {
	Lab       string    `json:"lab"`
	Steps     int       `json:"steps"`
	Done      int       `json:"done"`
	StoppedAt time.Time `json:"stoppedAt"`
}

// SetLabResult adds or replaces the result of r.Lab.
func (e *Environment) SetLabResult(r LabResult) {
	for i, o := range e.LabResults {
		if o.Lab == r.Lab {
			e.LabResults[i] = r
			return
		}
	}
	e.LabResults = append(e.LabResults, r)
}

// Modify loads the record of environment name under its lock, lets fn
// change it, and saves it atomically. When fn returns an error nothing is
// saved.
func (s *Store) Modify(name string, fn func(*Environment) error) (*Environment, error) {
	unlock, err := s.Lock(name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	env, err := s.Load(name)
	if err != nil {
		return nil, err
	}
	if err := fn(env); err != nil {
		return nil, err
	}
	env.UpdatedAt = time.Now().UTC()
	if err := s.Save(env); err != nil {
		return nil, err
	}
	return env, nil
}

// sideDir holds side files, out of the way of List.
func (s *Store) sideDir() string { return filepath.Join(s.Dir, "side") }

func (s *Store) sidePath(name, what string) string {
	return filepath.Join(s.sideDir(), name+"."+what+".json")
}

// SaveSide writes a side file of environment name (the lab's scope
// snapshot, say) atomically with mode 0600.
func (s *Store) SaveSide(name, what string, data []byte) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if err := os.MkdirAll(s.sideDir(), 0o700); err != nil {
		return fmt.Errorf("creating state directory %s: %w", s.sideDir(), err)
	}
	tmp, err := os.CreateTemp(s.sideDir(), "."+name+"."+what+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s of environment %s: %w", what, name, err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("writing %s of environment %s: %w", what, name, err)
	}
	if err := os.Rename(tmp.Name(), s.sidePath(name, what)); err != nil {
		return fmt.Errorf("writing %s of environment %s: %w", what, name, err)
	}
	return nil
}

// LoadSide reads a side file; a missing one is ErrNotFound.
func (s *Store) LoadSide(name, what string) ([]byte, error) {
	b, err := os.ReadFile(s.sidePath(name, what))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: environment %q has no %s file in %s", ErrNotFound, name, what, s.sideDir())
	}
	return b, err
}

// DeleteSide removes a side file; a missing one is not an error.
func (s *Store) DeleteSide(name, what string) error {
	if err := os.Remove(s.sidePath(name, what)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
