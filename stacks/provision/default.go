package provision

import (
	"os"
	"path/filepath"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/cluster/existing"
	"github.com/labctl/labctl/stacks/cluster/kind"
	"github.com/labctl/labctl/stacks/cluster/kwok"
	"github.com/labctl/labctl/stacks/install"
)

// Config is what New needs from its caller (the command layer adapts its
// own types to it).
type Config struct {
	// Store holds the environment records.
	Store *state.Store
	// CacheDir is labctl's cache: charts, kind node logs, kwok clusters.
	CacheDir string
	// Mirror replaces every chart repository (empty: $LABCTL_CHART_MIRROR,
	// else the official repositories).
	Mirror string
	// Log receives warnings and detail (nil: discarded).
	Log progress.Logger
	// NewStatus makes the status report of one call (nil: none).
	NewStatus func() progress.Status
}

// New returns a Provisioner with the real providers, the version lock and
// the chart cache under c.CacheDir.
func New(c Config) (*Provisioner, error) {
	v, err := stacks.LoadVersions()
	if err != nil {
		return nil, err
	}
	mirror := c.Mirror
	if mirror == "" {
		mirror = os.Getenv(install.MirrorEnv)
	}
	log := progress.OrDiscard(c.Log)
	return &Provisioner{
		Store:     c.Store,
		Log:       log,
		NewStatus: c.NewStatus,
		Versions:  v,
		Charts:    &install.ChartSource{CacheDir: filepath.Join(c.CacheDir, "charts"), Mirror: mirror},
		Clients:   kube.Load,
		Providers: map[string]cluster.Provider{
			stacks.ProviderKind: kind.New(kind.Options{Log: log, DefaultNodeImage: v.Kind.NodeImage, WorkDir: filepath.Join(c.CacheDir, "kind"),
				SlimHint: "or lighten the apps: --set apps[NAME].values.resources.profile=slim"}),
			stacks.ProviderExisting: existing.New(existing.Options{Log: log}),
			stacks.ProviderKwok:     kwok.New(kwok.Options{Log: log, CacheDir: c.CacheDir}),
		},
	}, nil
}
