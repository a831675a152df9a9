package lab

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
)

func (c *Command) filesCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "files ID [DIR]",
		Short: "Write a lab's files (instructions and manifests) to DIR (default ./ID)",
		Long: `Writes the lab's folder to disk so you can read the manifests and apply them
yourself with kubectl apply -f. An existing file with other content is left alone
unless --force is given.`,
		Args:              cobra.RangeArgs(1, 2),
		ValidArgsFunction: c.completeLabIDs,
		RunE: func(_ *cobra.Command, args []string) error {
			l, err := c.Lab(args[0])
			if err != nil {
				return err
			}
			dir := l.ID()
			if len(args) == 2 {
				dir = args[1]
			}
			written, err := l.Export(dir, force)
			if err != nil {
				return err
			}
			type result struct {
				Lab   string   `json:"lab"`
				Dir   string   `json:"dir"`
				Files []string `json:"files"`
			}
			res := result{Lab: l.ID(), Dir: dir, Files: written}
			return cli.PrintData(c.Deps.Streams.Out, c.Deps.Output, res, func(w io.Writer) error {
				for _, f := range written {
					fmt.Fprintln(w, f)
				}
				if files := l.SolutionFiles(0); len(files) > 0 {
					c.Deps.Log.V(0).Infof("apply a manifest with: kubectl apply -f %s", filepath.Join(dir, filepath.FromSlash(files[0])))
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite files that exist with other content")
	return cmd
}
