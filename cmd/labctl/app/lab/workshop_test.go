package lab

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	dynfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/golden"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
)

func webPod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "demo", Labels: map[string]string{"app": "web"}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}},
	}
}

// runWorkshop runs `lab ARGS` in environment "gold" (simulated), whose
// record says lab golden is at step 1, against a fake cluster with pods.
func runWorkshop(t *testing.T, store *state.Store, kc *fake.Clientset, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("LABCTL_LABS", "")
	t.Setenv("NO_COLOR", "1")
	var out, errOut bytes.Buffer
	d := &cli.Deps{Streams: cli.Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Output: cli.OutputText,
		Name: "gold", Store: store}
	d.Log = cli.NewLogger(&errOut, 0)
	d.Kube = func(context.Context) (*kube.Clients, error) {
		return &kube.Clients{Kube: kc, Dynamic: dynfake.NewSimpleDynamicClient(runtime.NewScheme())}, nil
	}
	cmd := newCommand(d, func() fs.FS { return os.DirFS("testdata/workshop") })
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

func goldStore(t *testing.T) *state.Store {
	store := &state.Store{Dir: t.TempDir()}
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	require.NoError(t, store.Save(&state.Environment{Name: "gold", Stack: "minimal", Mode: "sidecar", Phase: state.PhaseReady,
		Simulated: true, Lab: &state.LabProgress{Lab: "golden", Step: 1, StartedAt: now,
			Steps: []state.StepProgress{{ID: "scale-web"}, {ID: "done"}}}}))
	return store
}

// attempts hides how many attempts fit in a timeout (timing, not content).
var attempts = regexp.MustCompile(`after \d+ attempt\(s\)`)

func TestCheckChecklistGolden(t *testing.T) {
	store := goldStore(t)
	kc := fake.NewClientset(webPod("web-1"))
	code, out, stderr := runWorkshop(t, store, kc, "check")
	require.Equal(t, 1, code, "a step that is not done exits 1: %s", stderr)
	require.NotContains(t, stderr, "ERROR")
	golden.AssertString(t, "lab-check-failing.golden", attempts.ReplaceAllString(out, "after N attempt(s)"))

	rec, err := store.Load("gold")
	require.NoError(t, err)
	require.Equal(t, 1, rec.Lab.Step)
	require.Equal(t, "fail", rec.Lab.Steps[0].Checks[0].Status, "results are kept in the record")

	_, err = kc.CoreV1().Pods("demo").Create(context.Background(), webPod("web-2"), metav1.CreateOptions{})
	require.NoError(t, err)
	code, out, stderr = runWorkshop(t, store, kc, "check")
	require.Equal(t, 0, code, stderr)
	golden.AssertString(t, "lab-check-passing.golden", out)
	rec, err = store.Load("gold")
	require.NoError(t, err)
	require.Equal(t, 2, rec.Lab.Step, "a passing step moves on")
	require.True(t, rec.Lab.Steps[0].Done)

	code, out, _ = runWorkshop(t, store, kc, "list")
	require.Equal(t, 0, code)
	require.Contains(t, out, "step 2/2", "lab list shows the progress")
	code, out, _ = runWorkshop(t, store, kc, "show")
	require.Equal(t, 0, code)
	require.Contains(t, out, "step 2 of 2: done", "lab show without an id shows the current step")
}

func TestHintAndStatus(t *testing.T) {
	store := goldStore(t)
	kc := fake.NewClientset()
	code, out, _ := runWorkshop(t, store, kc, "hint")
	require.Equal(t, 0, code)
	require.Equal(t, "Hint 1 of 1 for step 1 (Run two web pods):\nA Deployment's spec.replicas sets how many pods run.\n", out)
	_, out, _ = runWorkshop(t, store, kc, "hint")
	require.Contains(t, out, "That was the last hint")
	code, out, _ = runWorkshop(t, store, kc, "status")
	require.Equal(t, 0, code)
	require.Contains(t, out, "▶ 1 scale-web: Run two web pods (1 hint(s) shown)")
	code, _, stderr := runWorkshop(t, store, kc, "next")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "is not done yet")
}
