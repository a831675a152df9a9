package load_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/cmd/labctl/app"
	"github.com/labctl/labctl/internal/cli"
)

// childEnv makes the test binary run `labctl load` as a child process.
const childEnv = "LABCTL_LOAD_SIGNAL_CHILD"

// TestMain lets TestSecondInterruptExits re-run this binary as labctl. The
// child sends a 2 MB body to a server that never answers and writes its JSON
// report (which holds the body) to a stdout nobody reads, so after the first
// Ctrl-C it stays blocked writing the partial report.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "" {
		os.Exit(m.Run())
	}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(os.Stderr, "REQUEST")
		<-r.Context().Done()
	}))
	defer s.Close()
	body := os.Getenv(childEnv) // a 2 MB file the parent wrote
	os.Exit(app.Run([]string{"load", s.URL, "--rps", "5", "-c", "1", "-d", "1m", "--body", "@" + body, "--json", "-"},
		cli.Streams{In: strings.NewReader(""), Out: os.Stdout, ErrOut: os.Stderr}))
}

// The root command is the one place that handles signals: after the first
// Ctrl-C (which makes load stop and report), the next one must end the
// process at once. A command that registers its own handler swallows it, and
// the child then stays blocked until the test's guard kills it.
func TestSecondInterruptExits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second) // a hang guard, not a speed goal
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	body := filepath.Join(t.TempDir(), "body")
	require.NoError(t, os.WriteFile(body, bytes.Repeat([]byte("x"), 2<<20), 0o600))
	cmd.Env = append(os.Environ(), childEnv+"="+body)
	unread, w, err := os.Pipe() // the child's stdout, never read
	require.NoError(t, err)
	defer unread.Close()
	cmd.Stdout = w
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	_ = w.Close()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && sc.Text() != "REQUEST" {
	}
	go func() { // drain the rest
		for sc.Scan() {
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var err2 error
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
loop:
	for {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err2 = <-exited:
			break loop
		case <-tick.C:
		}
	}
	var ee *exec.ExitError
	require.True(t, errors.As(err2, &ee), "child: %v", err2)
	ws, ok := ee.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	require.True(t, ws.Signaled(), "child exited with %d", ws.ExitStatus())
	assert.Equal(t, syscall.SIGINT, ws.Signal(), "labctl load swallowed the second Ctrl-C (killed by the test's guard)")
}
