package load

import (
	"context"
	"fmt"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/redact"
	"github.com/labctl/labctl/loadgen"
	"github.com/labctl/labctl/loadgen/incluster"
)

const defaultImage = incluster.DefaultImage

func runInCluster(ctx context.Context, d *cli.Deps, f *flagpole, o loadgen.Options, arg string) (*loadgen.Result, error) {
	if arg == "" || !isURL(arg) {
		return nil, fmt.Errorf("--in-cluster needs the URL of a Service as seen from namespace %s "+
			"(e.g. http://httpbin.%s:8000/get), not %q", f.from, f.from, redact.Text(arg))
	}
	t, err := resolveTarget(d, arg)
	if err != nil {
		return nil, err
	}
	o.URL = t.URL
	clients, err := d.Kube(ctx)
	if err != nil {
		return nil, fmt.Errorf("--in-cluster: %w", err)
	}
	return incluster.Run(ctx, clients.Kube, incluster.Options{
		Load:      o,
		Namespace: f.from,
		Image:     f.image,
		Status:    func(msg string) { d.Log.V(0).Infof("%s", msg) },
	})
}
