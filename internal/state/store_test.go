package state

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
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

// TestLockFileRemovedWithRecord: once an environment has no record, the
// release of its lock leaves no lock file; with a record it stays.
func TestLockFileRemovedWithRecord(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	lock := filepath.Join(s.Dir, "lab.lock")
	unlock, err := s.Lock("lab")
	require.NoError(t, err)
	require.NoError(t, s.Save(&Environment{Name: "lab"}))
	unlock()
	require.FileExists(t, lock, "a recorded environment keeps its lock file")

	unlock, err = s.Lock("lab")
	require.NoError(t, err)
	require.NoError(t, s.Delete("lab")) // what down does
	unlock()
	require.NoFileExists(t, lock)

	unlock, err = s.Lock("never-saved") // an up that failed before saving
	require.NoError(t, err)
	unlock()
	require.NoFileExists(t, filepath.Join(s.Dir, "never-saved.lock"))
}

// TestLockRemovalRace: removing the lock file on release never lets two
// holders in at once (a locker that opened the file just before it was
// removed must not keep a lock on the orphan while another locks the new
// file).
func TestLockRemovalRace(t *testing.T) {
	s := &Store{Dir: t.TempDir()}
	var holders, maxHolders, acquired atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 300 {
				unlock, err := (&Store{Dir: s.Dir}).Lock("race")
				if err != nil {
					require.ErrorIs(t, err, ErrLocked)
					continue
				}
				acquired.Add(1)
				n := holders.Add(1)
				for {
					m := maxHolders.Load()
					if n <= m || maxHolders.CompareAndSwap(m, n) {
						break
					}
				}
				runtime.Gosched()
				holders.Add(-1)
				unlock()
			}
		}()
	}
	wg.Wait()
	require.Positive(t, acquired.Load())
	require.Equal(t, int32(1), maxHolders.Load(), "two holders of one environment's lock at once")
	require.NoFileExists(t, filepath.Join(s.Dir, "race.lock"))
}
