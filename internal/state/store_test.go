package state

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	env := &Environment{Name: "lab1", Provider: "kind", Context: "kind-lab1", Phase: PhaseReady, CreatedAt: time.Unix(0, 0).UTC()}
	env.AddNamespace("bookinfo")
	env.AddNamespace("bookinfo")
	env.SetRelease(Release{Component: "istiod", Name: "istiod", Namespace: "istio-system", Version: "1.30.5"})
	env.SetRelease(Release{Component: "istiod", Name: "istiod", Namespace: "istio-system", Version: "1.30.6"})
	require.NoError(t, s.Save(env))

	got, err := s.Load("lab1")
	require.NoError(t, err)
	require.Equal(t, APIVersion, got.APIVersion)
	require.Equal(t, []string{"bookinfo"}, got.Namespaces)
	require.Len(t, got.Releases, 1)
	require.Equal(t, "1.30.6", got.Releases[0].Version)

	all, err := s.List()
	require.NoError(t, err)
	require.Len(t, all, 1)

	require.NoError(t, s.Delete("lab1"))
	require.NoError(t, s.Delete("lab1"), "deleting twice is fine")
	_, err = s.Load("lab1")
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorContains(t, err, "run `labctl up --name lab1` first")
}

func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Dir: dir}
	require.NoError(t, s.Save(&Environment{Name: "lab", Phase: PhaseProvisioning}))
	// A failed write (directory made read-only) must leave the old record whole.
	require.NoError(t, os.Chmod(dir, 0o500))
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if os.Geteuid() == 0 {
		// root ignores directory permissions: make the rename target a
		// directory instead, which rename cannot replace.
		require.NoError(t, os.Chmod(dir, 0o700))
		other := &Store{Dir: t.TempDir()}
		require.NoError(t, os.Mkdir(filepath.Join(other.Dir, "lab.json"), 0o700))
		require.Error(t, other.Save(&Environment{Name: "lab", Phase: PhaseReady}))
		entries, err := os.ReadDir(other.Dir)
		require.NoError(t, err)
		require.Len(t, entries, 1, "no temporary file is left behind")
		return
	}
	require.Error(t, s.Save(&Environment{Name: "lab", Phase: PhaseReady}))
	got, err := s.Load("lab")
	require.NoError(t, err)
	require.Equal(t, PhaseProvisioning, got.Phase)
}

func TestLoadDamagedRecord(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	require.NoError(t, os.WriteFile(filepath.Join(s.Dir, "lab.json"), []byte("{half"), 0o600))
	_, err := s.Load("lab")
	require.ErrorContains(t, err, "is damaged")
}

func TestLockContention(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	unlock, err := s.Lock("lab")
	require.NoError(t, err)

	// A second lock (another open file description, as another process
	// would have) is refused at once with a message that says who holds it.
	_, err = (&Store{Dir: s.Dir}).Lock("lab")
	require.ErrorIs(t, err, ErrLocked)
	require.ErrorContains(t, err, "is already working on environment \"lab\"")
	require.ErrorContains(t, err, "labctl process")

	// Other environments are independent.
	u2, err := s.Lock("other")
	require.NoError(t, err)
	u2()

	unlock()
	u3, err := s.Lock("lab")
	require.NoError(t, err, "the lock is free again after unlock")
	u3()
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"labctl", "a", "lab-1", "x2"} {
		require.NoError(t, ValidateName(ok), ok)
	}
	for _, bad := range []string{"", "Lab", "-lab", "lab-", "lab_1", "a/b", "this-name-is-far-too-long-for-a-kind-cluster"} {
		require.Error(t, ValidateName(bad), bad)
	}
}
