// Package traffic is the `labctl traffic` command.
package traffic

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/stacks/provision"
)

// NewCommand returns `labctl traffic on|off|rate N`.
func NewCommand(d *cli.Deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "traffic on|off|rate N",
		Short: "Turn the in-cluster background traffic on or off, or set its rate",
		Long: `traffic controls the background traffic generator that keeps Kiali's graph and
the dashboards alive: a fortio Deployment in namespace labctl-traffic that sends
N requests per second to each app through the ingress gateway. The setting is
kept in the environment record, so a later 'labctl up' does not undo it.`,
		Example: `  labctl traffic off
  labctl traffic on
  labctl traffic rate 5`,
		Args:      cobra.RangeArgs(1, 2),
		ValidArgs: []string{"on", "off", "rate"},
		RunE: func(cmd *cobra.Command, args []string) error {
			var ch provision.TrafficChange
			switch args[0] {
			case "on", "off":
				if len(args) != 1 {
					return fmt.Errorf("`labctl traffic %s` takes no value", args[0])
				}
				on := args[0] == "on"
				ch.Enabled = &on
			case "rate":
				if len(args) != 2 {
					return fmt.Errorf("`labctl traffic rate` needs requests per second, e.g. `labctl traffic rate 5`")
				}
				r, err := strconv.ParseFloat(args[1], 64)
				if err != nil {
					return fmt.Errorf("rate %q is not a number of requests per second", args[1])
				}
				on := true
				ch.Enabled, ch.Rate = &on, &r
			default:
				return fmt.Errorf("unknown action %q: use on, off or rate N", args[0])
			}
			p, err := provision.New(provision.Config{Store: d.Store, CacheDir: d.CacheDir, Log: d.Log, NewStatus: d.NewStatus})
			if err != nil {
				return err
			}
			t, err := p.Traffic(cmd.Context(), d.Name, ch)
			if err != nil {
				return err
			}
			return cli.PrintData(d.Streams.Out, d.Output, t, func(w io.Writer) error {
				if t.Enabled {
					_, err := fmt.Fprintf(w, "Background traffic is on: %g requests/s per app.\n", t.Rate)
					return err
				}
				_, err := fmt.Fprintln(w, "Background traffic is off.")
				return err
			})
		},
	}
	return cmd
}
