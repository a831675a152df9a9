package lab

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/labs"
)

// Command holds what every lab subcommand shares: the dependencies, the
// --labs folders and the hooks the workshop engine fills in.
type Command struct {
	Deps *cli.Deps
	// LabDirs are the --labs folders (LABCTL_LABS is added by Catalog).
	LabDirs []string
	// Builtin is the embedded lab tree (tests replace it).
	Builtin func() fs.FS

	// Progress returns the progress column of `lab list` for a lab in the
	// current environment ("2/5", "done", ""); nil leaves it empty.
	Progress func(ctx context.Context, l *labs.Lab) string
	// Current returns the active lab and its current step (0-based), for
	// `lab show` without an id; nil or ErrNoActiveLab means none.
	Current func(ctx context.Context) (labID string, step int, err error)
}

// ErrNoActiveLab is returned by Command.Current when no lab is started.
var ErrNoActiveLab = errors.New("no lab is started in this environment: give a lab id (labctl lab list) or run labctl lab start ID")

// NewCommand returns `labctl lab`.
func NewCommand(d *cli.Deps) *cobra.Command { return newCommand(d, labs.Builtin) }

func newCommand(d *cli.Deps, builtin func() fs.FS) *cobra.Command {
	c := &Command{Deps: d, Builtin: builtin}
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "List, read and do labs step by step",
		Long: `Labs are folders with a lab.yaml, Markdown instructions and manifests. The built-in
labs ship with labctl; --labs DIR (repeatable) and LABCTL_LABS (a ` + string(os.PathListSeparator) + `-separated list)
add folders of your own. A lab of yours with the id of a built-in lab replaces it.`,
	}
	cmd.PersistentFlags().StringArrayVar(&c.LabDirs, "labs", nil, "a folder of your own labs (a lab folder or a folder of them); repeatable")
	cmd.AddCommand(c.listCommand(), c.showCommand(), c.filesCommand(), c.lintCommand())
	cmd.AddCommand(c.workshopCommands()...)
	return cmd
}

// UserDirs returns the --labs folders followed by those of LABCTL_LABS.
func (c *Command) UserDirs() []string {
	return labs.UserDirs(c.LabDirs, os.Getenv(labs.EnvLabs))
}

// Catalog loads the built-in and the user's labs.
func (c *Command) Catalog() (*labs.Catalog, error) {
	return labs.LoadCatalog(c.Builtin(), c.UserDirs()...)
}

// Lab loads the catalogue and returns one lab, refusing a lab with
// problems (the same messages as lab lint).
func (c *Command) Lab(id string) (*labs.Lab, error) {
	cat, err := c.Catalog()
	if err != nil {
		return nil, err
	}
	return cat.Get(id)
}

// completeLabIDs completes lab ids for the first argument.
func (c *Command) completeLabIDs(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	cat, err := c.Catalog()
	if cat == nil || err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var ids []string
	for _, l := range cat.List() {
		ids = append(ids, l.ID())
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}
