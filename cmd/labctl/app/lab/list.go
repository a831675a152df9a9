package lab

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/labs"
)

// Summary is one row of `lab list`.
type Summary struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Stack    string   `json:"stack"`
	Modes    []string `json:"modes"`
	Steps    int      `json:"steps"`
	Duration string   `json:"duration,omitempty"`
	// Prerequisites are lab ids to do first.
	Prerequisites []string `json:"prerequisites,omitempty"`
	// Source is the folder, or builtin:labs/... for a built-in lab.
	Source string `json:"source"`
	// Progress in the current environment ("" when not started).
	Progress string `json:"progress,omitempty"`
	// Problems counts what lab lint reports; such a lab cannot start.
	Problems int `json:"problems,omitempty"`
}

func (c *Command) listCommand() *cobra.Command {
	var stack string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the labs: built-in ones and those in --labs / LABCTL_LABS folders",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := c.Catalog()
			if err != nil {
				return err
			}
			out := []Summary{}
			for _, l := range cat.List() {
				if stack != "" && l.Spec.Stack != stack {
					continue
				}
				s := summarize(l, len(cat.LabProblems(l.ID())))
				if c.Progress != nil {
					s.Progress = c.Progress(cmd.Context(), l)
				}
				out = append(out, s)
			}
			if undecoded := len(cat.Problems()) - countProblems(cat); undecoded > 0 {
				c.Deps.Log.Warnf("%d lab folder(s) could not be read: labctl lab lint says why", undecoded)
			}
			return cli.PrintData(c.Deps.Streams.Out, c.Deps.Output, out, func(w io.Writer) error {
				return writeList(w, out)
			})
		},
	}
	cmd.Flags().StringVar(&stack, "stack", "", "only labs of this stack")
	return cmd
}

func countProblems(cat *labs.Catalog) int {
	n := 0
	for _, l := range cat.List() {
		n += len(cat.LabProblems(l.ID()))
	}
	return n
}

func summarize(l *labs.Lab, problems int) Summary {
	s := Summary{ID: l.ID(), Title: l.Metadata.Title, Stack: l.Spec.Stack, Modes: l.SupportedModes(),
		Steps: len(l.Spec.Steps), Prerequisites: l.Spec.Prerequisites, Source: l.Source, Problems: problems}
	if l.Spec.Duration.Duration > 0 {
		s.Duration = shortDuration(l.Spec.Duration.String())
	}
	return s
}

// shortDuration drops zero units: "10m0s" -> "10m", "1h30m0s" -> "1h30m".
func shortDuration(s string) string {
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func writeList(w io.Writer, out []Summary) error {
	if len(out) == 0 {
		_, err := fmt.Fprintln(w, "No labs. Add a folder of your own with --labs DIR or LABCTL_LABS.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tSTACK\tMODES\tSTEPS\tDURATION\tPROGRESS")
	for _, s := range out {
		title := s.Title
		if s.Problems > 0 {
			title += fmt.Sprintf(" [%d problems: labctl lab lint]", s.Problems)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", s.ID, title, s.Stack, strings.Join(s.Modes, ","), s.Steps,
			dash(s.Duration), dash(s.Progress))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
