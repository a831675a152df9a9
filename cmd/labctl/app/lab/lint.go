package lab

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/labs"
)

// lintFailed carries exit code 1 after lint printed its problems.
type lintFailed struct{ n int }

func (e lintFailed) Error() string { return fmt.Sprintf("%d problems", e.n) }
func (e lintFailed) ExitCode() int { return 1 }

func (c *Command) lintCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "lint [DIR...]",
		Short: "Check lab folders: format, references, manifests, ids (default: every known lab)",
		Long: `Reports every problem at once, each as file:line: field: message: the format,
every file a lab references (inside its folder), every manifest parsed into
objects, check specs, step and check ids, prerequisites. Exit status 1 when
there are problems. labctl lab start refuses a lab with the same messages.`,
		RunE: func(_ *cobra.Command, args []string) error {
			ps, err := labs.Lint(c.Builtin(), c.UserDirs(), args...)
			if err != nil {
				return err
			}
			if err := cli.PrintData(c.Deps.Streams.Out, c.Deps.Output, problemList(ps), func(w io.Writer) error {
				for _, p := range ps {
					fmt.Fprintln(w, p.Error())
				}
				return nil
			}); err != nil {
				return err
			}
			if len(ps) > 0 {
				fmt.Fprintf(c.Deps.Streams.ErrOut, "%d problems found\n", len(ps))
				return lintFailed{len(ps)}
			}
			fmt.Fprintln(c.Deps.Streams.ErrOut, "no problems found")
			return nil
		},
	}
}

func problemList(ps labs.Problems) []labs.Problem {
	if ps == nil {
		return []labs.Problem{}
	}
	return ps
}
