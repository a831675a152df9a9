// Command labctl-load runs `labctl load` on its own, for the load generator
// benchmark when the root command is not built (same code path: it mounts
// cmd/labctl/app/load's command on real dependencies).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/labctl/labctl/cmd/labctl/app/load"
	"github.com/labctl/labctl/internal/cli"
)

func main() {
	d, err := cli.NewDeps(cli.Streams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	d.Log = cli.NewLogger(os.Stderr, 0)
	cmd := load.NewCommand(d)
	cmd.SilenceUsage = true
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		os.Exit(1)
	}
}
