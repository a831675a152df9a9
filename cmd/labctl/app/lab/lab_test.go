package lab

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/golden"
)

// run runs `lab ARGS` on the labs of testdata/builtin as the built-in tree.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("LABCTL_LABS", "")
	t.Setenv("NO_COLOR", "1")
	var out, errOut bytes.Buffer
	d := &cli.Deps{Streams: cli.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Output: cli.OutputText}
	d.Log = cli.NewLogger(&errOut, 0)
	cmd := newCommand(d, func() fs.FS { return os.DirFS("testdata/builtin") })
	cmd.PersistentFlags().StringVarP(&d.Output, "output", "o", cli.OutputText, "")
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	if err := cmd.Execute(); err != nil {
		if ec, ok := err.(interface{ ExitCode() int }); ok {
			return ec.ExitCode(), out.String(), errOut.String()
		}
		return 1, out.String(), errOut.String() + "ERROR: " + err.Error()
	}
	return 0, out.String(), errOut.String()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		golden string
		stderr string
	}{
		{"list", []string{"list"}, 0, "list.golden", ""},
		{"list json", []string{"list", "-o", "json"}, 0, "list.json.golden", ""},
		{"show", []string{"show", "sample-basics"}, 0, "show-step1.golden", ""},
		{"show step 2", []string{"show", "sample-basics", "--step", "2"}, 0, "show-step2.golden", ""},
		{"show json", []string{"show", "sample-basics", "--step", "2", "-o", "json"}, 0, "show-step2.json.golden", ""},
		{"show bad step", []string{"show", "sample-basics", "--step", "9"}, 1, "", "lab sample-basics has steps 1..2, not 9"},
		{"show unknown", []string{"show", "sample-basic"}, 1, "", `no lab "sample-basic" (did you mean "sample-basics"?)`},
		{"show no id", []string{"show"}, 1, "", "no lab is started"},
		{"lint", []string{"lint"}, 0, "", "no problems found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			require.Equal(t, tt.code, code, "stderr: %s", errOut)
			if tt.golden != "" {
				golden.AssertString(t, tt.golden, out)
			}
			require.Contains(t, errOut, tt.stderr)
		})
	}
}

func TestFilesExportsTheLab(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errOut := run(t, "files", "sample-basics", dir)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, filepath.Join(dir, "manifests", "route.yaml"))
	want, err := os.ReadFile("testdata/builtin/basics/manifests/route.yaml")
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "manifests", "route.yaml"))
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))

	// A learner's edit is not overwritten without --force.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "manifests", "route.yaml"), []byte("mine"), 0o644))
	code, _, errOut = run(t, "files", "sample-basics", dir)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "--force")
	code, _, errOut = run(t, "files", "sample-basics", dir, "--force")
	require.Equal(t, 0, code, errOut)
}
