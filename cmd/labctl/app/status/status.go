// Package status is the `labctl status` command.
package status

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/stacks/provision"
)

// NewCommand returns `labctl status`.
func NewCommand(d *cli.Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show an environment: provider, context, components and their readiness, ingress URL",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := provision.New(provision.Config{Store: d.Store, CacheDir: d.CacheDir, Log: d.Log, NewStatus: d.NewStatus})
			if err != nil {
				return err
			}
			r, err := p.Status(cmd.Context(), d.Name)
			if err != nil {
				return err
			}
			return cli.PrintData(d.Streams.Out, d.Output, r, func(w io.Writer) error { return Text(w, r) })
		},
	}
}

// Text renders a status report as a table.
func Text(w io.Writer, r *provision.Report) error {
	fmt.Fprintf(w, "Environment: %s (stack %s, %s mode)\n", r.Name, r.Stack, r.Mode)
	cl := r.Provider
	if r.Simulated {
		cl += " (simulated: no data plane)"
	}
	fmt.Fprintf(w, "Cluster:     %s, context %s\n", cl, r.Context)
	fmt.Fprintf(w, "Phase:       %s\n", r.Phase)
	if r.IngressURL != "" {
		fmt.Fprintf(w, "Ingress:     %s\n", r.IngressURL)
	}
	for _, a := range r.Apps {
		if a.URL != "" {
			fmt.Fprintf(w, "App:         %s %s\n", a.Name, a.URL)
		}
	}
	for _, pr := range r.ClusterProblems {
		fmt.Fprintf(w, "Down:        %s\n", pr)
	}
	if r.Error != "" {
		fmt.Fprintf(w, "Error:       %s\n", r.Error)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tRELEASE\tNAMESPACE\tCHART\tVERSION\tSTATUS\tREADY")
	for _, c := range r.Components {
		ready := "yes"
		if !c.Ready {
			ready = "no"
			if c.Message != "" {
				ready = "no: " + c.Message
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.Release, c.Namespace, c.Chart, c.Version, c.Status, ready)
	}
	return tw.Flush()
}
