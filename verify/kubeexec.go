package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// KubeExecutor runs commands in pods through the API server's exec
// subresource, over WebSocket with a fallback to SPDY (as kubectl exec does).
type KubeExecutor struct {
	Config *rest.Config
	Kube   kubernetes.Interface
}

// Exec runs req and returns its output and exit code.
func (k KubeExecutor) Exec(ctx context.Context, req ExecRequest) (ExecResult, error) {
	opts := &corev1.PodExecOptions{Container: req.Container, Command: req.Command, Stdout: true, Stderr: true}
	u := k.Kube.CoreV1().RESTClient().Post().
		Resource("pods").Namespace(req.Namespace).Name(req.Pod).SubResource("exec").
		VersionedParams(opts, scheme.ParameterCodec).URL()
	spdyExec, err := remotecommand.NewSPDYExecutor(k.Config, "POST", u)
	if err != nil {
		return ExecResult{}, fmt.Errorf("setting up exec (SPDY): %w", err)
	}
	wsExec, err := remotecommand.NewWebSocketExecutor(k.Config, "GET", u.String())
	if err != nil {
		return ExecResult{}, fmt.Errorf("setting up exec (WebSocket): %w", err)
	}
	exec, err := remotecommand.NewFallbackExecutor(wsExec, spdyExec, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return ExecResult{}, err
	}
	var stdout, stderr bytes.Buffer
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr})
	res := ExecResult{Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr utilexec.ExitError
	if errors.As(err, &exitErr) && exitErr.Exited() {
		res.ExitCode = exitErr.ExitStatus()
		return res, nil
	}
	if err != nil {
		return res, err
	}
	return res, nil
}
