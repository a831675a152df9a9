package state

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestModifyKeepsProgress(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	require.NoError(t, s.Save(&Environment{Name: "lab", Phase: PhaseReady}))
	_, err := s.Modify("lab", func(e *Environment) error {
		e.Lab = &LabProgress{Lab: "basics", Step: 2, Steps: []StepProgress{{ID: "a", Done: true}, {ID: "b", HintsShown: 1}}}
		return nil
	})
	require.NoError(t, err)
	// A fresh store (another labctl process) reads the same progress.
	got, err := (&Store{Dir: s.Dir}).Load("lab")
	require.NoError(t, err)
	require.Equal(t, 2, got.Lab.Step)
	require.Equal(t, 1, got.Lab.Steps[1].HintsShown)

	_, err = s.Modify("lab", func(e *Environment) error { e.Lab = nil; return errors.New("refused") })
	require.ErrorContains(t, err, "refused")
	got, err = s.Load("lab")
	require.NoError(t, err)
	require.NotNil(t, got.Lab, "a failed change saves nothing")

	unlock, err := s.Lock("lab")
	require.NoError(t, err)
	_, err = (&Store{Dir: s.Dir}).Modify("lab", func(*Environment) error { return nil })
	require.ErrorIs(t, err, ErrLocked, "changes wait for nobody: a held lock is an error")
	unlock()
}

func TestSideFiles(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	_, err := s.LoadSide("lab", "snapshot")
	require.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, s.SaveSide("lab", "snapshot", []byte(`{"a":1}`)))
	b, err := s.LoadSide("lab", "snapshot")
	require.NoError(t, err)
	require.JSONEq(t, `{"a":1}`, string(b))
	fi, err := os.Stat(filepath.Join(s.Dir, "side", "lab.snapshot.json"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	all, err := s.List()
	require.NoError(t, err)
	require.Empty(t, all, "side files are not environment records")
	require.NoError(t, s.DeleteSide("lab", "snapshot"))
	require.NoError(t, s.DeleteSide("lab", "snapshot"))
}
