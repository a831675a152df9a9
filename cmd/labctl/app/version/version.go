// Package version is the `labctl version` command.
package version

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/stacks"
)

// Version is set at build time with -ldflags "-X .../version.Version=v0.1.0".
var Version = "dev"

// Info is what `labctl version` prints: labctl's build and the whole
// version lock.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
	// Istio, GatewayAPI: the default release's.
	Istio      string `json:"istio"`
	GatewayAPI string `json:"gatewayAPI"`
	NodeImage  string `json:"kindNodeImage"`
	Lock       Lock   `json:"lock"`
}

// NewCommand returns `labctl version`.
func NewCommand(d *cli.Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print labctl's version and every version it installs (each supported Istio release)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v, err := stacks.LoadVersions()
			if err != nil {
				return err
			}
			lock, err := LockOf(v)
			if err != nil {
				return err
			}
			info := Info{Version: Version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
				Istio: v.Istio.Version, GatewayAPI: v.Istio.GatewayAPI, NodeImage: v.Kind.NodeImage, Lock: lock}
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						info.Commit = s.Value
					}
				}
			}
			return cli.PrintData(d.Streams.Out, d.Output, info, func(w io.Writer) error {
				fmt.Fprintf(w, "labctl %s (%s, %s)\n\n", info.Version, info.GoVersion, info.Platform)
				return WriteLock(w, lock)
			})
		},
	}
}
