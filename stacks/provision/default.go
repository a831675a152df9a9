package provision

import (
	"os"
	"path/filepath"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/cluster/existing"
	"github.com/labctl/labctl/stacks/cluster/kind"
	"github.com/labctl/labctl/stacks/cluster/kwok"
	"github.com/labctl/labctl/stacks/install"
)

// New returns a Provisioner with the real providers, the version lock and
// the chart cache under d.CacheDir. mirror replaces every chart repository
// (empty: $LABCTL_CHART_MIRROR, else the official repositories).
func New(d *cli.Deps, mirror string) (*Provisioner, error) {
	v, err := stacks.LoadVersions()
	if err != nil {
		return nil, err
	}
	if mirror == "" {
		mirror = os.Getenv(install.MirrorEnv)
	}
	return &Provisioner{
		Store:     d.Store,
		Log:       d.Log,
		NewStatus: d.NewStatus,
		Versions:  v,
		Charts:    &install.ChartSource{CacheDir: filepath.Join(d.CacheDir, "charts"), Mirror: mirror},
		Clients:   kube.Load,
		Providers: map[string]cluster.Provider{
			stacks.ProviderKind: kind.New(kind.Options{Log: d.Log, DefaultNodeImage: v.Kind.NodeImage, WorkDir: filepath.Join(d.CacheDir, "kind"),
				SlimHint: "or lighten the apps: --set apps[NAME].values.resources.profile=slim"}),
			stacks.ProviderExisting: existing.New(existing.Options{Log: d.Log}),
			stacks.ProviderKwok:     kwok.New(kwok.Options{Log: d.Log, CacheDir: d.CacheDir}),
		},
	}, nil
}
