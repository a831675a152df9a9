package load_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
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

// TestMain lets TestSecondInterruptExits re-run this binary as labctl: the
// child serves requests that never answer (so a first Ctrl-C leaves the run
// waiting for them) and runs the real root command.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "" {
		os.Exit(m.Run())
	}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(os.Stderr, "REQUEST")
		<-r.Context().Done()
	}))
	defer s.Close()
	os.Exit(app.Run([]string{"load", s.URL, "--rps", "5", "-c", "1", "-d", "1m", "--timeout", "1m"},
		cli.Streams{In: strings.NewReader(""), Out: os.Stdout, ErrOut: os.Stderr}))
}

// The root command is the one place that handles signals: after the first
// Ctrl-C (which makes load stop and report), the next one must end the
// process at once. A command that registers its own handler swallows it, and
// the child then exits normally with 130 instead of being killed.
func TestSecondInterruptExits(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard, not a speed goal
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
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
	assert.True(t, ws.Signaled(), "labctl load swallowed the second Ctrl-C (exit code %d)", ws.ExitStatus())
}
