package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

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
	// The WebSocket handshake only honours a context deadline, not a
	// cancellation (gorilla/websocket reads the upgrade response without
	// watching ctx), so a stalled API server would hold Ctrl-C until the
	// check's timeout. Stream in a goroutine and return when ctx ends; the
	// goroutine finishes when the connection does.
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr})
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		return ExecResult{Stdout: stdout.String(), Stderr: stderr.String()}, ctx.Err()
	}
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

// syncBuffer is a bytes.Buffer safe to read while the stream still writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
