package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/labs/engine"
)

// workshop holds the workshop subcommands, which drive labs/engine.
type workshop struct {
	c *Command
}

// workshopCommands returns start, check, hint, solve, next, goto, reset,
// status and stop, and fills in the list's progress column and `lab show`
// without an id.
func (c *Command) workshopCommands() []*cobra.Command {
	w := &workshop{c: c}
	c.Progress = w.progress
	c.Current = w.current
	return []*cobra.Command{w.startCommand(), w.checkCommand(), w.hintCommand(), w.solveCommand(), w.nextCommand(),
		w.gotoCommand(), w.resetCommand(), w.statusCommand(), w.stopCommand()}
}

// engine builds the engine on the catalogue (labs with problems are
// refused by its Get with lint's messages).
func (w *workshop) engine() (*engine.Engine, error) {
	cat, err := w.c.Catalog()
	if cat == nil {
		return nil, err
	}
	if err != nil {
		w.c.Deps.Log.Warnf("%v", err)
	}
	return NewEngine(w.c.Deps, w.c.Deps.Name, cat), nil
}

func (w *workshop) progress(_ context.Context, l *labs.Lab) string {
	if w.c.Deps.Store == nil {
		return ""
	}
	return (&engine.Engine{Store: w.c.Deps.Store, EnvName: w.c.Deps.Name}).Progress(l.ID())
}

func (w *workshop) current(ctx context.Context) (string, int, error) {
	if w.c.Deps.Store == nil {
		return "", 0, ErrNoActiveLab
	}
	e, err := w.engine()
	if err != nil {
		return "", 0, err
	}
	st, err := e.Status(ctx)
	if errors.Is(err, engine.ErrNoActiveLab) {
		return "", 0, ErrNoActiveLab
	}
	if err != nil {
		return "", 0, err
	}
	return st.Lab, st.Step - 1, nil
}

func (w *workshop) out() io.Writer { return w.c.Deps.Streams.Out }

// md renders step text for the command's stdout.
func (w *workshop) md() Markdown { return MarkdownFor(w.out()) }

// print writes v as -o json|yaml, or text.
func (w *workshop) print(v any, text func(io.Writer) error) error {
	return cli.PrintData(w.out(), w.c.Deps.Output, v, text)
}

// FailedError is returned when a step's checks did not pass; the
// checklist has been printed, so the command exits 1 without more text.
type FailedError struct{ Step int }

func (e *FailedError) Error() string { return fmt.Sprintf("step %d is not done yet", e.Step) }

// ExitCode is the process exit code.
func (e *FailedError) ExitCode() int { return 1 }

func (w *workshop) startCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "start ID",
		Short: "Start a lab: snapshot its scope, prepare its baseline, show step 1",
		Long: `Checks that the environment (--name) has the lab's stack and mode (and says which
labctl up makes one if not), takes a snapshot of the lab's scope so stop can
leave the environment as it was found, applies the baseline and waits for it.
Only one lab is active per environment: --force stops the active one first.`,
		Example:           "  labctl lab start sample-basics\n  labctl lab start sample-basics --force",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: w.c.completeLabIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := w.engine()
			if err != nil {
				return err
			}
			st, err := e.Start(cmd.Context(), args[0], engine.StartOptions{Force: force})
			var nr *engine.NotReadyError
			if err != nil && !errors.As(err, &nr) {
				return err
			}
			perr := w.print(st, func(out io.Writer) error {
				if st.Stopped != nil {
					writeStopped(out, st.Stopped)
				}
				fmt.Fprintf(out, "Started lab %s in environment %q.\n", st.Step.Lab, w.c.Deps.Name)
				if len(st.Prerequisites) > 0 {
					fmt.Fprintf(out, "Its prerequisites are done for you: the solutions of %s were applied first.\n", strings.Join(st.Prerequisites, ", "))
				}
				writeActions(out, st.Actions)
				if len(st.Ready.Results) > 0 {
					writeChecklist(out, "Baseline", st.Ready)
				}
				if nr != nil {
					return nil
				}
				fmt.Fprintln(out)
				return w.md().Render(out, document(st.Step))
			})
			if perr != nil {
				return perr
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "stop the active lab first")
	return cmd
}

// defaultCheckTimeout bounds how long `lab check` retries a check that
// does not pass yet.
const defaultCheckTimeout = 30 * time.Second

func (w *workshop) checkCommand() *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the current step: a checklist with what each check observed",
		Long: `Runs the current step's checks and prints them as a checklist: what each check
observed and, for a failing one, its hint. When they pass, the step is marked done
and the next step is shown. Exits 1 while the step is not done.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := w.engine()
			if err != nil {
				return err
			}
			ck, err := e.Check(cmd.Context(), engine.CheckOptions{MaxTimeout: timeout})
			if err != nil {
				return err
			}
			return w.printChecked(ck)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", defaultCheckTimeout, "longest a check is retried before it counts as failing (0: the check's own timeout)")
	return cmd
}

func (w *workshop) solveCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "solve",
		Short: "Apply the current step's reference solution, then check the step",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := w.engine()
			if err != nil {
				return err
			}
			ck, err := e.Solve(cmd.Context(), engine.CheckOptions{})
			if err != nil {
				return err
			}
			return w.printChecked(ck)
		},
	}
}

func (w *workshop) printChecked(ck *engine.Checked) error {
	err := w.print(ck, func(out io.Writer) error {
		if ck.Solved {
			fmt.Fprintf(out, "Applied the solution of step %d.\n", ck.Step.Number)
			writeActions(out, ck.Actions)
		}
		writeChecklist(out, fmt.Sprintf("Step %d of %d: %s", ck.Step.Number, ck.Step.Total, ck.Step.Title), ck.Report)
		switch {
		case !ck.Passed:
			more := "`labctl lab solve` applies the solution"
			if ck.Step.HintsLeft > 0 {
				more = "`labctl lab hint` gives a hint, " + more
			}
			fmt.Fprintf(out, "Step %d is not done yet: %s.\n", ck.Step.Number, more)
		case ck.Next != nil:
			fmt.Fprintf(out, "Step %d done.\n\n", ck.Step.Number)
			return w.md().Render(out, document(*ck.Next))
		default:
			fmt.Fprintf(out, "Step %d done: that was the last step%s. `labctl lab stop` cleans up.\n", ck.Step.Number, completeNote(ck.Complete))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !ck.Passed {
		return &FailedError{Step: ck.Step.Number}
	}
	return nil
}

func completeNote(all bool) string {
	if all {
		return ", and every step is done"
	}
	return " (some earlier steps are not done: labctl lab status)"
}

func (w *workshop) hintCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "hint",
		Short: "Show the current step's next hint (one more each time)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := w.engine()
			if err != nil {
				return err
			}
			h, err := e.Hint(cmd.Context())
			if err != nil {
				return err
			}
			return w.print(h, func(out io.Writer) error {
				fmt.Fprintf(out, "Hint %d of %d for step %d (%s):\n", h.Number, h.Total, h.Step.Number, h.Step.Title)
				if err := w.md().Render(out, h.Text); err != nil {
					return err
				}
				if h.Repeated {
					fmt.Fprintln(out, "That was the last hint; `labctl lab solve` applies the solution.")
				}
				return nil
			})
		},
	}
}

func (w *workshop) nextCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "next",
		Short: "Go to the next step once the current one is done",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := w.engine()
			if err != nil {
				return err
			}
			v, err := e.Next(cmd.Context())
			if err != nil {
				return err
			}
			return w.print(v, func(out io.Writer) error { return w.md().Render(out, document(v)) })
		},
	}
}

func (w *workshop) gotoCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "goto N",
		Short: "Go to step N: the environment is reset to the baseline plus the solutions of steps 1..N-1",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[0])
			if err != nil {
				return fmt.Errorf("step %q: give a step number from 1", args[0])
			}
			e, err := w.engine()
			if err != nil {
				return err
			}
			rs, err := e.Goto(cmd.Context(), n)
			return w.printReset(rs, err)
		},
	}
}

func (w *workshop) resetCommand() *cobra.Command {
	var step int
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Reset to the start of the current step (or --step N), in place",
		Long: `Converges the environment to the start of the step without recreating anything:
applies the baseline and the solutions of the earlier steps, puts back objects the
lab found, deletes objects of the lab's scope that do not belong there (those made
by hand with kubectl too), restores namespace labels, restarts workloads whose
sidecar injection changed and waits for the baseline's readiness checks.`,
		Example: "  labctl lab reset\n  labctl lab reset --step 1",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := w.engine()
			if err != nil {
				return err
			}
			rs, err := e.Reset(cmd.Context(), engine.ResetOptions{Step: step})
			return w.printReset(rs, err)
		},
	}
	cmd.Flags().IntVar(&step, "step", 0, "step to reset to, from 1 (default: the current step)")
	return cmd
}

func (w *workshop) printReset(rs *engine.Reset, err error) error {
	var nr *engine.NotReadyError
	if err != nil && !errors.As(err, &nr) {
		return err
	}
	perr := w.print(rs, func(out io.Writer) error {
		writeReset(out, rs)
		if len(rs.Ready.Results) > 0 {
			writeChecklist(out, "Baseline", rs.Ready)
		}
		if nr != nil {
			return nil
		}
		fmt.Fprintln(out)
		return w.md().Render(out, document(rs.Step))
	})
	if perr != nil {
		return perr
	}
	return err
}

func (w *workshop) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "The active lab's progress: step, checks, hints",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := w.engine()
			if err != nil {
				return err
			}
			st, err := e.Status(cmd.Context())
			if err != nil {
				return err
			}
			return w.print(st, func(out io.Writer) error { return writeStatus(out, st) })
		},
	}
}

func (w *workshop) stopCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "stop",
		Short: "Stop the lab and leave the environment as the lab found it",
		Long: `Runs the lab's cleanup, deletes what the lab applied and what was made in its
scope since it started, puts back namespace labels and background traffic, and
compares the lab's scope with the snapshot taken at start. A difference that
remains is an error naming each object.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := w.engine()
			if err != nil {
				return err
			}
			st, err := e.Stop(cmd.Context())
			if st == nil {
				return err
			}
			if perr := w.print(st, func(out io.Writer) error { writeActions(out, st.Actions); writeStopped(out, st); return nil }); perr != nil {
				return perr
			}
			return err
		},
	}
}
