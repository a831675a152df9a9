package verify

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/client-go/kubernetes/fake"
)

// client-go's fake clientset cannot exec into pods, so these tests drive
// the exec check through the Executor interface: pod selection, the request
// sent, and the judgement of exit codes and output. KubeExecutor (the
// WebSocket/SPDY transport) needs a real API server and kubelet (or a kwok
// cluster with exec support) and is not exercised here.
func TestExecCheck(t *testing.T) {
	one := 1
	curl := []string{"curl", "-sS", "http://productpage.bookinfo:9080/productpage"}
	reset := ExecResult{ExitCode: 56, Stderr: "curl: (56) Recv failure: Connection reset by peer"}
	tests := []struct {
		name  string
		spec  ExecSpec
		res   ExecResult
		err   error
		want  Status
		inMsg string
	}{
		{"STRICT mTLS rejects plain text", ExecSpec{NonZeroExit: true, OutputContains: []string{"reset by peer"}}, reset, nil, StatusPass, ""},
		{"plain text still accepted", ExecSpec{NonZeroExit: true}, ExecResult{Stdout: "<html>"}, nil, StatusFail, "should have failed"},
		{"success wanted", ExecSpec{OutputRegex: `Book\s+Reviews`}, ExecResult{Stdout: "<h4>Book Reviews</h4>"}, nil, StatusPass, ""},
		{"wrong exit code", ExecSpec{}, reset, nil, StatusFail, "exit code 56, want 0"},
		{"specific exit code", ExecSpec{ExitCode: &one}, ExecResult{ExitCode: 1}, nil, StatusPass, ""},
		{"output must not contain", ExecSpec{OutputNotContains: []string{"RBAC: access denied"}}, ExecResult{Stdout: "RBAC: access denied"}, nil, StatusFail, `output contains "RBAC: access denied"`},
		{"regex misses", ExecSpec{OutputRegex: `^200$`}, ExecResult{Stdout: "403"}, nil, StatusFail, "does not match /^200$/"},
		{"exec transport fails", ExecSpec{}, ExecResult{}, errors.New("pods \"sleep-1\" is forbidden"), StatusError, "is forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kube := fake.NewClientset(readyPod("sleep-1", "legacy", map[string]string{"app": "sleep"}))
			ex := &scriptedExec{res: tt.res, err: tt.err}
			spec := tt.spec
			spec.PodRef = PodRef{Namespace: "legacy", Selector: "app=sleep"}
			spec.Command = curl
			res := Runner{Env: Env{Kube: kube, Exec: ex}}.RunOne(t.Context(), quick(Spec{Name: tt.name, Exec: &spec}))
			assert.Equal(t, tt.want, res.Status, res.Message)
			assert.Contains(t, res.Message, tt.inMsg)
			assert.Equal(t, ExecRequest{Namespace: "legacy", Pod: "sleep-1", Command: curl}, ex.req)
		})
	}
}

func TestExecNoReadyPod(t *testing.T) {
	kube := fake.NewClientset()
	spec := ExecSpec{PodRef: PodRef{Namespace: "legacy", Selector: "app=sleep"}, Command: []string{"true"}}
	res := Runner{Env: Env{Kube: kube, Exec: &scriptedExec{}}}.RunOne(t.Context(), quick(Spec{Name: "x", Exec: &spec}))
	assert.Equal(t, StatusError, res.Status)
	assert.Contains(t, res.Message, "no Ready pod found for a Ready pod with labels app=sleep in namespace legacy")

	res = Runner{}.RunOne(t.Context(), Spec{Name: "x", Exec: &spec})
	assert.Contains(t, res.Message, "exec into pods is not configured")
}

type scriptedExec struct {
	req ExecRequest
	res ExecResult
	err error
}

func (s *scriptedExec) Exec(_ context.Context, req ExecRequest) (ExecResult, error) {
	s.req = req
	return s.res, s.err
}
