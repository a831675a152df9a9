// Package down is the `labctl down` command.
package down

import (
	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/stacks/provision"
)

// NewCommand returns `labctl down`.
func NewCommand(d *cli.Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "down",
		Short: "Remove everything labctl made for an environment",
		Long: `down deletes the cluster when labctl created it (kind, kwok). On an existing
cluster it uninstalls labctl's releases, deletes the namespaces and cluster-scoped
objects labctl created and removes the labels it added, leaving the cluster as it
found it. Running it again is harmless.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := provision.New(d, "")
			if err != nil {
				return err
			}
			return p.Down(cmd.Context(), d.Name)
		},
	}
}
