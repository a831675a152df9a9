package app

import (
	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cmd/labctl/app/check"
	"github.com/labctl/labctl/cmd/labctl/app/dashboards"
	"github.com/labctl/labctl/cmd/labctl/app/down"
	"github.com/labctl/labctl/cmd/labctl/app/lab"
	"github.com/labctl/labctl/cmd/labctl/app/labtest"
	"github.com/labctl/labctl/cmd/labctl/app/load"
	"github.com/labctl/labctl/cmd/labctl/app/open"
	"github.com/labctl/labctl/cmd/labctl/app/stackscmd"
	"github.com/labctl/labctl/cmd/labctl/app/status"
	"github.com/labctl/labctl/cmd/labctl/app/traffic"
	"github.com/labctl/labctl/cmd/labctl/app/up"
	"github.com/labctl/labctl/cmd/labctl/app/version"
	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/state"
)

// NewRootCommand builds the labctl command tree on d.
func NewRootCommand(d *cli.Deps) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "labctl",
		Short: "Istio labs that build themselves, guide the learner and prove each step worked",
		Long: `labctl provisions an Istio lab environment (a kind cluster or an existing one,
Istio in sidecar or ambient mode, Kiali, Prometheus, Grafana, Jaeger and a demo
app with background traffic), generates load, and verifies lab steps.

Status goes to stderr and data to stdout; -o json|yaml for machine output.

` + cli.ExitCodeHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := cli.ValidateOutput(d.Output); err != nil {
				return err
			}
			if err := state.ValidateName(d.Name); err != nil {
				return err
			}
			d.Log = cli.NewLogger(d.Streams.ErrOut, d.Verbosity)
			return nil
		},
	}
	f := cmd.PersistentFlags()
	f.StringVar(&d.Kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	f.StringVar(&d.Context, "context", "", "kube context to use (default: the environment's, else the current context)")
	f.StringVar(&d.Name, "name", d.Name, "environment name")
	f.IntVarP(&d.Verbosity, "verbosity", "v", 0, "log detail: 1 shows more, 3 shows Helm's debug output")
	f.StringVarP(&d.Output, "output", "o", cli.OutputText, "data output format: text, json or yaml")

	cmd.AddCommand(
		up.NewCommand(d),
		down.NewCommand(d),
		status.NewCommand(d),
		stackscmd.NewCommand(d),
		traffic.NewCommand(d),
		load.NewCommand(d),
		check.NewCommand(d),
		lab.NewCommand(d),
		labtest.NewCommand(d),
		open.NewCommand(d),
		dashboards.NewCommand(d),
		version.NewCommand(d),
	)
	return cmd
}
