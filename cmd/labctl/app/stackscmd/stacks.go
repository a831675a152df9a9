// Package stackscmd is the `labctl stacks` command group.
package stackscmd

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/stacks"
)

// NewCommand returns `labctl stacks`.
func NewCommand(d *cli.Deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stacks",
		Short: "List and show the built-in stacks",
	}
	cmd.AddCommand(listCommand(d), showCommand(d))
	return cmd
}

// Summary is one row of `stacks list`.
type Summary struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Mode        string   `json:"mode"`
	Workers     int      `json:"workers"`
	Addons      []string `json:"addons"`
	Apps        []string `json:"apps"`
	Default     bool     `json:"default,omitempty"`
}

func listCommand(d *cli.Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the built-in stacks",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var out []Summary
			for _, name := range stacks.BuiltinNames() {
				s, err := stacks.Load(name, stacks.Options{})
				if err != nil {
					return err
				}
				sum := Summary{Name: name, Description: s.Metadata.Description, Mode: s.Spec.Mesh.Mode, Workers: s.Spec.Cluster.Workers,
					Addons: []string{}, Apps: []string{}, Default: name == stacks.DefaultStack}
				for _, a := range s.Spec.Addons {
					sum.Addons = append(sum.Addons, a.Name)
				}
				for _, a := range s.Spec.Apps {
					sum.Apps = append(sum.Apps, a.Name)
				}
				out = append(out, sum)
			}
			return cli.PrintData(d.Streams.Out, d.Output, out, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tMODE\tWORKERS\tADDONS\tAPPS")
				for _, s := range out {
					name := s.Name
					if s.Default {
						name += " (default)"
					}
					fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", name, s.Mode, s.Workers, join(s.Addons), join(s.Apps))
				}
				return tw.Flush()
			})
		},
	}
}

func join(list []string) string {
	if len(list) == 0 {
		return "-"
	}
	out := list[0]
	for _, s := range list[1:] {
		out += "," + s
	}
	return out
}

func showCommand(d *cli.Deps) *cobra.Command {
	var resolved bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Print a built-in stack (as shipped, or --resolved with defaults from the version lock)",
		Args:  cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return stacks.BuiltinNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			if !resolved && d.Output == cli.OutputText {
				src, err := stacks.BuiltinSource(args[0])
				if err != nil {
					return err
				}
				_, err = d.Streams.Out.Write(src)
				return err
			}
			s, err := stacks.Load(args[0], stacks.Options{})
			if err != nil {
				return err
			}
			format := d.Output
			if format == cli.OutputText {
				format = cli.OutputYAML
			}
			return cli.PrintData(d.Streams.Out, format, s, nil)
		},
	}
	cmd.Flags().BoolVar(&resolved, "resolved", false, "show the stack with every default filled in")
	return cmd
}
