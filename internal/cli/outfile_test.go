package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckOutputFile(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.xml")
	require.NoError(t, os.WriteFile(existing, []byte("keep"), 0o600))
	readOnlyDir := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(readOnlyDir, 0o500))
	readOnlyFile := filepath.Join(dir, "ro.xml")
	require.NoError(t, os.WriteFile(readOnlyFile, nil, 0o400))
	root := os.Geteuid() == 0 // root writes anywhere: permission cases cannot fail

	tests := []struct {
		name, path, want string
		skipAsRoot       bool
	}{
		{"not asked", "", "", false},
		{"stdout", "-", "", false},
		{"new file", filepath.Join(dir, "new.xml"), "", false},
		{"existing file", existing, "", false},
		{"missing directory", filepath.Join(dir, "nope", "r.xml"), "directory " + filepath.Join(dir, "nope") + " does not exist", false},
		{"parent is a file", filepath.Join(existing, "r.xml"), existing + " is not a directory", false},
		{"a directory", dir, "is a directory", false},
		{"read-only directory", filepath.Join(readOnlyDir, "r.xml"), "is not writable", true},
		{"read-only file", readOnlyFile, "cannot be written", true},
	}
	if _, err := os.Stat("/proc/self"); err == nil {
		// Not writable even by root.
		tests = append(tests, struct {
			name, path, want string
			skipAsRoot       bool
		}{"procfs", "/proc/labctl-report.xml", "directory /proc is not writable", false})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skipAsRoot && root {
				t.Skip("running as root: permissions do not stop writes")
			}
			err := CheckOutputFile("--junit", tt.path)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, "--junit "+tt.path+": "+tt.want)
		})
	}
	b, err := os.ReadFile(existing)
	require.NoError(t, err)
	require.Equal(t, "keep", string(b), "an existing file is not truncated")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 3, "no probe file is left behind")
}
