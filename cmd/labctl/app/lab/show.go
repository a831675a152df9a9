package lab

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/labs"
)

// StepView is what `lab show` prints: one step of a lab.
type StepView struct {
	Lab   string `json:"lab"`
	Title string `json:"labTitle"`
	// Step is 1-based; Steps is how many the lab has.
	Step      int    `json:"step"`
	Steps     int    `json:"steps"`
	ID        string `json:"id"`
	StepTitle string `json:"title"`
	// Markdown is the instructions with include directives expanded.
	Markdown string   `json:"markdown"`
	Hints    int      `json:"hints"`
	Checks   []string `json:"checks"`
}

func (c *Command) showCommand() *cobra.Command {
	var step int
	cmd := &cobra.Command{
		Use:   "show [ID]",
		Short: "Show a step's instructions (default: the current step of the started lab, else step 1)",
		Long: `Prints the instructions of one step, rendered for the terminal, or as plain
Markdown when stdout is not a terminal or NO_COLOR is set. Manifests the
instructions include are the ones labctl lab solve applies.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: c.completeLabIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var id string
			index := step - 1
			if len(args) == 1 {
				id = args[0]
				if step == 0 {
					index = 0
				}
			} else {
				if c.Current == nil {
					return ErrNoActiveLab
				}
				cur, curStep, err := c.Current(cmd.Context())
				if err != nil {
					return err
				}
				id = cur
				if step == 0 {
					index = curStep
				}
			}
			if step < 0 {
				return errors.New("--step counts from 1")
			}
			l, err := c.Lab(id)
			if err != nil {
				return err
			}
			v, err := View(l, index)
			if err != nil {
				return err
			}
			md := MarkdownFor(c.Deps.Streams.Out)
			return cli.PrintData(c.Deps.Streams.Out, c.Deps.Output, v, func(w io.Writer) error {
				return md.Render(w, v.Document())
			})
		},
	}
	cmd.Flags().IntVar(&step, "step", 0, "step number, from 1 (default: the current step, else 1)")
	return cmd
}

// View returns step index (0-based) of l for display.
func View(l *labs.Lab, index int) (*StepView, error) {
	md, err := l.StepMarkdown(index)
	if err != nil {
		return nil, err
	}
	s := l.Spec.Steps[index]
	v := &StepView{Lab: l.ID(), Title: l.Metadata.Title, Step: index + 1, Steps: len(l.Spec.Steps), ID: s.ID,
		StepTitle: s.Title, Markdown: md, Hints: len(s.Hints), Checks: []string{}}
	for _, ch := range s.Checks {
		v.Checks = append(v.Checks, ch.Name)
	}
	return v, nil
}

// Document is the step as one Markdown document: a header line, the
// instructions, and what to do next.
func (v *StepView) Document() string {
	var b strings.Builder
	fmt.Fprintf(&b, "_%s (%s) · step %d of %d: %s_\n\n", v.Title, v.Lab, v.Step, v.Steps, v.ID)
	b.WriteString(strings.TrimRight(v.Markdown, "\n"))
	b.WriteString("\n\n---\n\n")
	next := "`labctl lab check` checks this step"
	if v.Hints > 0 {
		next += fmt.Sprintf("; `labctl lab hint` gives a hint (%d)", v.Hints)
	}
	b.WriteString(next + ".\n")
	return b.String()
}
