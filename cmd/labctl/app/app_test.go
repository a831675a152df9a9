package app

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/golden"
)

// runCLI runs labctl through the real root command with a private state and
// cache dir, returning exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("LABCTL_STATE_DIR", filepath.Join(t.TempDir(), "state"))
	t.Setenv("LABCTL_CACHE_DIR", filepath.Join(t.TempDir(), "cache"))
	t.Setenv("CI", "true")
	var out, errOut bytes.Buffer
	code := Run(args, cli.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func TestCLIGolden(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(`apiVersion: labctl.dev/v1alpha1
kind: Stack
metadata:
  name: bad
spec:
  cluster:
    provider: kind
    wrokers: 2
  mesh:
    mode: sidecars
`), 0o644))
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: refused
  cluster: {server: "https://127.0.0.1:1"}
contexts:
- name: refused
  context: {cluster: refused, user: u}
users:
- name: u
  user: {token: x}
current-context: refused
`), 0o600))
	credKubeconfig := filepath.Join(t.TempDir(), "cred-kubeconfig")
	require.NoError(t, os.WriteFile(credKubeconfig, []byte(strings.ReplaceAll(mustRead(t, kubeconfig), "https://127.0.0.1:1", "https://admin:s3cret@127.0.0.1:1")), 0o600))
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // golden file for stdout, if any
		stderr string // substring expected on stderr
	}{
		{"stacks list", []string{"stacks", "list"}, 0, "stacks-list.golden", ""},
		{"stacks list json", []string{"stacks", "list", "-o", "json"}, 0, "stacks-list.json.golden", ""},
		{"stacks show", []string{"stacks", "show", "minimal"}, 0, "stacks-show-minimal.golden", ""},
		{"stacks show unknown", []string{"stacks", "show", "nope"}, 1, "", `ERROR: no built-in stack "nope": use one of bookinfo, bookinfo-ambient, boutique, minimal, travels, or -f FILE`},
		{"bad stack file", []string{"up", "-f", bad}, 1, "", "bad.yaml:8: spec.cluster: unknown field \"wrokers\" (did you mean \"workers\"?)"},
		{"bad output", []string{"stacks", "list", "-o", "xml"}, 2, "", `unknown output format "xml": use one of text, json, yaml`},
		{"bad name", []string{"status", "--name", "Bad_Name"}, 2, "", `environment name "Bad_Name" is not valid`},
		{"status of nothing", []string{"status", "--name", "ghost"}, 1, "", "no record of environment \"ghost\""},
		{"down of nothing", []string{"down", "--name", "ghost"}, 0, "", `environment "ghost" does not exist: nothing to remove`},
		{"existing, unknown context", []string{"up", "--provider", "existing", "--context", "nope", "--kubeconfig", kubeconfig}, 1, "", `context "nope" is not in the kubeconfig (known contexts: refused)`},
		{"existing, cluster refuses", []string{"up", "--provider", "existing", "--context", "refused", "--kubeconfig", kubeconfig}, 1, "", `the cluster of context "refused" (https://127.0.0.1:1) refused the connection`},
		{"credentials in an error", []string{"up", "--provider", "existing", "--context", "refused", "--kubeconfig", credKubeconfig}, 1, "", `(https://xxxxx@127.0.0.1:1) refused the connection`},
		{"stack and file", []string{"up", "--stack", "minimal", "-f", bad}, 2, "", "if any flags in the group [stack file] are set none of the others can be"},
		{"unknown flag", []string{"status", "--nope"}, 2, "", "Run 'labctl status --help' for usage."},
		{"unknown command", []string{"nope"}, 2, "", `unknown command "nope" for "labctl"`},
		{"extra argument", []string{"down", "extra"}, 2, "", `unknown command "extra" for "labctl down"`},
		{"missing required flag", []string{"check"}, 2, "", `required flag(s) "file" not set`},
		{"help", []string{"--help"}, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			require.Equal(t, tt.code, code, "stderr: %s", errOut)
			if tt.stdout != "" {
				golden.AssertString(t, tt.stdout, out)
			}
			require.Contains(t, errOut, tt.stderr)
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// TestInterruptedCheckExits130: Ctrl-C during `labctl check` exits 130,
// as `labctl load` does, after printing the (partial) report.
func TestInterruptedCheckExits130(t *testing.T) {
	reached := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(reached) })
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	checks := filepath.Join(t.TempDir(), "checks.yaml")
	require.NoError(t, os.WriteFile(checks, []byte(`apiVersion: labctl.dev/v1alpha1
kind: CheckSet
metadata:
  name: hangs
checks:
  - name: slow
    timeout: 5m
    http:
      url: `+srv.URL+`/
`), 0o600))
	t.Setenv("LABCTL_STATE_DIR", filepath.Join(t.TempDir(), "state"))
	t.Setenv("LABCTL_CACHE_DIR", filepath.Join(t.TempDir(), "cache"))
	t.Setenv("CI", "true")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		select {
		case <-reached:
			cancel() // what the root's signal handler does on Ctrl-C
		case <-ctx.Done():
		}
	}()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"check", "-f", checks}, cli.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	require.Equal(t, cli.ExitInterrupted, code, "stdout: %s\nstderr: %s", out.String(), errOut.String())
	require.Contains(t, out.String(), "interrupted")
}
