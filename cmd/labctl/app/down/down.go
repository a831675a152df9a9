// Package down is the `labctl down` command.
package down

import (
	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/stacks/provision"
)

// NewCommand returns `labctl down`.
func NewCommand(d *cli.Deps) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Remove everything labctl made for an environment",
		Long: `down deletes the cluster when labctl created it (kind, kwok). On an existing
cluster it uninstalls labctl's releases, deletes the namespaces and cluster-scoped
objects labctl created and removes the labels it added, leaving the cluster as it
found it. Running it again is harmless.

When the environment's record is damaged (up, status and down then refuse),
--force finds the kind and simulated (kwok) clusters named after the environment
through their providers and kube contexts, deletes them and removes the record.`,
		Example: `  labctl down --name lab2
  labctl down --force --name lab2     # the record of lab2 is damaged`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := provision.New(provision.Config{Store: d.Store, CacheDir: d.CacheDir, Log: d.Log, NewStatus: d.NewStatus})
			if err != nil {
				return err
			}
			if force {
				return p.ForceDown(cmd.Context(), d.Name, d.Kubeconfig)
			}
			return p.Down(cmd.Context(), d.Name)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "remove the clusters named after the environment even when its record is damaged")
	return cmd
}
