package cluster

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRestrictFile(t *testing.T) {
	dir := t.TempDir()
	for _, mode := range []os.FileMode{0o644, 0o666, 0o600, 0o400} {
		p := filepath.Join(dir, mode.String())
		if err := os.WriteFile(p, []byte("x"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		if err := RestrictFile(p); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != SecretMode {
			t.Errorf("file that was %v is %v, want %v", mode, fi.Mode().Perm(), SecretMode)
		}
	}
	if err := RestrictFile(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("missing file: %v", err)
	}
}

func TestKubeconfigPath(t *testing.T) {
	t.Setenv("KUBECONFIG", "/a/config"+string(filepath.ListSeparator)+"/b/config")
	if got := KubeconfigPath(""); got != "/a/config" {
		t.Errorf("default = %q, want /a/config", got)
	}
	if got := KubeconfigPath("/x"); got != "/x" {
		t.Errorf("explicit = %q", got)
	}
}
