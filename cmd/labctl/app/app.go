package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/klog/v2"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/redact"
)

// ExitError carries a specific exit code without more text (for example a
// check run that printed its own report).
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Main runs labctl with the process's arguments and streams and exits.
func Main() {
	os.Exit(Run(os.Args[1:], cli.Streams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}))
}

// Run runs labctl and returns the exit code. SIGINT and SIGTERM cancel the
// command's context; a second signal stops at once.
func Run(args []string, streams cli.Streams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C gets Go's default behaviour: exit now
	}()
	// client-go logs through klog straight to stderr (for example when a
	// request is cancelled by Ctrl-C); labctl reports errors itself.
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	d, err := cli.NewDeps(streams)
	if err != nil {
		printErr(streams.ErrOut, err)
		return 1
	}
	root := NewRootCommand(d)
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	if err := root.ExecuteContext(ctx); err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			return ee.Code
		}
		// Commands that printed their own report (labctl check) carry the
		// exit code without another ERROR line.
		var ec interface{ ExitCode() int }
		if errors.As(err, &ec) {
			return ec.ExitCode()
		}
		printErr(streams.ErrOut, err)
		if ctx.Err() != nil {
			return 130
		}
		return 1
	}
	return 0
}

// printErr prints the error that ends the command, URL credentials masked.
func printErr(w io.Writer, err error) {
	fmt.Fprintf(w, "ERROR: %s\n", redact.Text(err.Error()))
}
