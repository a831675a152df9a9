// Package up is the `labctl up` command.
package up

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/provision"
)

type flagpole struct {
	stack        string
	file         string
	mode         string
	istioVersion string
	provider     string
	sets         []string
	chartMirror  string
	parallel     int
}

// NewCommand returns `labctl up`.
func NewCommand(d *cli.Deps) *cobra.Command {
	f := &flagpole{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Create or update a lab environment: cluster, Istio, addons, demo app and traffic",
		Long: `up makes the environment named by --name match a stack: it creates the cluster
(kind by default; --provider existing uses a kubeconfig context as it is;
--provider kwok starts a simulated control plane), installs Istio, the addons and
the demo app with Helm, and starts background traffic.

Running it again reconciles: what changed is upgraded, what is current is
skipped. After Ctrl-C, run it again to resume.`,
		Example: `  labctl up                                   # the default stack (bookinfo) on kind
  labctl up --stack bookinfo-ambient
  labctl up --provider existing --context my-gke
  labctl up -f my-stack.yaml --set cluster.workers=2 --set apps[bookinfo].values.replicas=2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd, d, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.stack, "stack", stacks.DefaultStack, fmt.Sprintf("built-in stack: one of %v", stacks.BuiltinNames()))
	fl.StringVarP(&f.file, "file", "f", "", "stack file (instead of --stack)")
	fl.StringVar(&f.mode, "mode", "", "mesh mode: sidecar or ambient (overrides the stack)")
	fl.StringVar(&f.istioVersion, "istio-version", "", "Istio release: a minor of the version lock (e.g. 1.31) or an exact patch of one; `labctl version` lists them (overrides the stack)")
	fl.StringVar(&f.provider, "provider", "", "cluster provider: kind, existing or kwok (overrides the stack)")
	fl.StringArrayVar(&f.sets, "set", nil, "override a stack field: path=value, e.g. cluster.workers=2 (repeatable)")
	fl.StringVar(&f.chartMirror, "chart-mirror", "", "Helm repository URL to fetch every chart from (default $LABCTL_CHART_MIRROR, else the official repositories)")
	fl.IntVar(&f.parallel, "parallel", 0, "components installed at once (default 4)")
	cmd.MarkFlagsMutuallyExclusive("stack", "file")
	return cmd
}

func run(cmd *cobra.Command, d *cli.Deps, f *flagpole) error {
	opts := stacks.Options{Mode: f.mode, IstioVersion: f.istioVersion, Provider: f.provider, Sets: f.sets}
	var (
		s   *stacks.Stack
		err error
	)
	if f.file != "" {
		s, err = stacks.LoadFile(f.file, opts)
	} else {
		s, err = stacks.Load(f.stack, opts)
	}
	if err != nil {
		return err
	}
	p, err := provision.New(provision.Config{Store: d.Store, CacheDir: d.CacheDir, Log: d.Log, NewStatus: d.NewStatus, Mirror: f.chartMirror})
	if err != nil {
		return err
	}
	p.Parallel = f.parallel
	env, err := p.Up(cmd.Context(), provision.UpOptions{Name: d.Name, Stack: s, Kubeconfig: d.Kubeconfig, Context: d.Context})
	if err != nil {
		return err
	}
	return cli.PrintData(d.Streams.Out, d.Output, env, func(w io.Writer) error {
		fmt.Fprintf(w, "Environment %q is ready (stack %s, %s mode, provider %s, context %s).\n", env.Name, env.Stack, env.Mode, env.Provider, env.Context)
		if env.Simulated {
			fmt.Fprintln(w, "The cluster is simulated (kwok): objects and readiness are real, but no pod serves traffic.")
		}
		for _, a := range env.Apps {
			if a.URL != "" {
				fmt.Fprintf(w, "  %-10s %s\n", a.Name, a.URL)
			} else {
				fmt.Fprintf(w, "  %-10s labctl open app --name %s\n", a.Name, env.Name)
			}
		}
		fmt.Fprintf(w, "Dashboards: labctl open kiali|grafana|prometheus|jaeger. Remove everything: labctl down --name %s\n", env.Name)
		return nil
	})
}
