package check

import (
	"context"
	"errors"

	"github.com/labctl/labctl/internal/checkenv"
	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/verify"
)

// buildEnv loads the environment record (if there is one) and lets checkenv
// build the verify.Env from it, the flags and the cluster clients.
func buildEnv(ctx context.Context, d *cli.Deps, specs []verify.Spec, u checkenv.URLs) (verify.Env, error) {
	rec, err := d.Env()
	switch {
	case err == nil:
	case errors.Is(err, state.ErrNotFound):
		rec = nil
		d.Log.V(1).Infof("no environment record %q: checks use the flags and the current kube context only", d.Name)
	default:
		return verify.Env{}, err
	}
	return checkenv.Build(ctx, specs, checkenv.Options{Record: rec, URLs: u, Clients: d.Kube})
}
