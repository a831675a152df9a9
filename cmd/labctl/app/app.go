package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/redact"
)

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
	return run(ctx, args, streams)
}

// run runs labctl in ctx (cancelled by a signal) and returns the exit code
// by the one rule of cli.ExitCodeHelp.
func run(ctx context.Context, args []string, streams cli.Streams) int {
	// client-go logs through klog straight to stderr (for example when a
	// request is cancelled by Ctrl-C); labctl reports errors itself.
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	d, err := cli.NewDeps(streams)
	if err != nil {
		printErr(streams.ErrOut, err)
		return cli.ExitFailure
	}
	root := NewRootCommand(d)
	// Everything refused before a command's own RunE starts (unknown
	// command or flag, bad arguments, required or exclusive flags, -o and
	// --name in the root's pre-run) is a usage error: nothing was done.
	started := false
	markStarted(root, &started)
	pre := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, a []string) error {
		if err := pre(cmd, a); err != nil {
			return &cli.UsageError{Err: err}
		}
		return nil
	}
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return cli.ExitOK
	}
	// Commands that printed their own report (labctl check, lab lint)
	// carry an exit code and want no ERROR line.
	var reported interface{ ExitCode() int }
	isReported := errors.As(err, &reported)
	if !isReported {
		printErr(streams.ErrOut, err)
	}
	switch {
	case ctx.Err() != nil:
		return cli.ExitInterrupted
	case isReported:
		return reported.ExitCode()
	case !started || cli.IsUsage(err):
		fmt.Fprintf(streams.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return cli.ExitUsage
	}
	return cli.ExitFailure
}

// markStarted makes every command of the tree set *started when its RunE
// begins: cobra validates arguments and flags before that.
func markStarted(cmd *cobra.Command, started *bool) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, args []string) error {
			*started = true
			return run(c, args)
		}
	}
	if run := cmd.Run; run != nil {
		cmd.Run = func(c *cobra.Command, args []string) {
			*started = true
			run(c, args)
		}
	}
	for _, c := range cmd.Commands() {
		markStarted(c, started)
	}
}

// printErr prints the error that ends the command, URL credentials masked.
func printErr(w io.Writer, err error) {
	fmt.Fprintf(w, "ERROR: %s\n", redact.Text(err.Error()))
}
