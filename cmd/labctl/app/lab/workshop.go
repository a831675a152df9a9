package lab

import "github.com/spf13/cobra"

// workshopCommands returns the workshop subcommands (start, check, hint,
// solve, next, goto, reset, status, stop), which drive labs/engine; they
// also set c.Progress and c.Current. The labengine engineer owns this
// file; until the engine lands, the group has only the read-only commands.
func (c *Command) workshopCommands() []*cobra.Command { return nil }
