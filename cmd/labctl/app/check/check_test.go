package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/golden"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/verify"
)

// timing varies run to run; the golden files hold a placeholder.
var timing = regexp.MustCompile(`\[[^\]]*attempt\(s\)\]| in [0-9.]+[µmn]?s\n`)

var (
	port     = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
	attempts = regexp.MustCompile(`after [0-9]+ attempt\(s\)`)
)

func normalise(s string) string {
	s = timing.ReplaceAllStringFunc(s, func(m string) string {
		if m[0] == '[' {
			return "[TIME]"
		}
		return " in TIME\n"
	})
	s = port.ReplaceAllString(s, "127.0.0.1:PORT")
	return attempts.ReplaceAllString(s, "after N attempt(s)")
}

// deps wires a command to buffers, an environment record whose ingress is
// an in-process server, and fake cluster clients holding one productpage pod.
func deps(t *testing.T, simulated bool, body string) (*cli.Deps, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "bookinfo.example" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "productpage-v1-abc", Namespace: "bookinfo", Labels: map[string]string{"app": "productpage"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "productpage"}, {Name: "istio-proxy"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
	clients := &kube.Clients{Kube: fake.NewClientset(pod), Dynamic: dynamicfake.NewSimpleDynamicClient(runtime.NewScheme())}
	var out, errOut bytes.Buffer
	d := &cli.Deps{
		Streams: cli.Streams{Out: &out, ErrOut: &errOut},
		Log:     cli.NewLogger(&errOut, 0),
		Output:  cli.OutputText,
		Name:    "labctl",
		Env: func() (*state.Environment, error) {
			return &state.Environment{Name: "labctl", Simulated: simulated, IngressURL: srv.URL,
				Apps: []state.App{{Name: "productpage", Namespace: "bookinfo", Host: "bookinfo.example", Path: "/productpage"}}}, nil
		},
		Kube: func(context.Context) (*kube.Clients, error) { return clients, nil },
	}
	d.NewStatus = func() progress.Status { return cli.NewStatus(&errOut, false) }
	return d, &out, &errOut
}

func execute(t *testing.T, d *cli.Deps, args ...string) error {
	t.Helper()
	cmd := NewCommand(d)
	cmd.SetArgs(append([]string{}, args...)) // nil would make cobra read os.Args
	cmd.SetOut(d.Streams.Out)
	cmd.SetErr(d.Streams.ErrOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.ExecuteContext(t.Context())
}

func TestCheckCommand(t *testing.T) {
	tests := []struct {
		name      string
		simulated bool
		body      string
		failed    bool
		golden    string
	}{
		{"all pass", false, "<h4>Book Reviews</h4>", false, "pass.golden"},
		{"http fails with hint", false, "no healthy upstream", true, "fail.golden"},
		{"simulated skips http", true, "", false, "simulated.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, out, errOut := deps(t, tt.simulated, tt.body)
			junit := filepath.Join(t.TempDir(), "junit.xml")
			err := execute(t, d, "-f", "testdata/bookinfo.yaml", "--junit", junit)
			if tt.failed {
				require.Error(t, err)
				assert.True(t, isFailed(err))
				assert.Equal(t, 1, err.(*FailedError).ExitCode())
			} else {
				require.NoError(t, err, errOut.String())
			}
			golden.AssertString(t, tt.golden, normalise(out.String()))
			x, rerr := os.ReadFile(junit)
			require.NoError(t, rerr)
			assert.Contains(t, string(x), `<testsuite name="bookinfo-getting-started" tests="2"`)
			assert.Contains(t, errOut.String(), "productpage-pods (pods)", "status lines go to stderr")
		})
	}
}

func TestCheckCommandJSON(t *testing.T) {
	d, out, _ := deps(t, false, "<h4>Book Reviews</h4>")
	d.Output = cli.OutputJSON
	require.NoError(t, execute(t, d, "-f", "testdata/bookinfo.yaml"))
	var rep verify.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	assert.True(t, rep.Passed)
	assert.Equal(t, verify.Counts{Pass: 2}, rep.Counts)
	assert.Equal(t, "bookinfo-getting-started", rep.Name)
}

func TestCheckCommandErrors(t *testing.T) {
	d, _, _ := deps(t, false, "")
	err := execute(t, d, "-f", "testdata/typo.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `testdata/typo.yaml:9: checks[0].pods: unknown field "selectr"`)
	assert.False(t, isFailed(err))

	// A report path that cannot be written is refused before any check
	// runs (no status line was printed).
	d, _, errOut := deps(t, false, "<h4>Book Reviews</h4>")
	missing := filepath.Join(t.TempDir(), "no-such-dir", "junit.xml")
	err = execute(t, d, "-f", "testdata/bookinfo.yaml", "--junit", missing)
	require.ErrorContains(t, err, "--junit "+missing+": directory "+filepath.Dir(missing)+" does not exist")
	assert.False(t, isFailed(err))
	assert.Empty(t, errOut.String(), "no check ran")

	err = execute(t, d)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `required flag(s) "file" not set`)
}

// isFailed reports whether err is a check run that failed (its report is
// already printed).
func isFailed(err error) bool {
	var fe *FailedError
	return errors.As(err, &fe)
}
