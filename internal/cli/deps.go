package cli

import (
	"context"
	"errors"
	"io"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/internal/state"
)

// Streams are the command's standard streams.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// Deps is the one dependency struct every command receives from the root
// command. Global flags are bound onto its fields before any command runs.
type Deps struct {
	Streams Streams
	Log     *Logger
	// Output is the -o format for data: text, json or yaml.
	Output string
	// Name is the environment name (--name).
	Name       string
	Kubeconfig string
	Context    string
	Verbosity  int
	// Store holds environment records.
	Store *state.Store
	// CacheDir is labctl's cache (downloaded charts, test binaries).
	CacheDir string
	// Smart is true when stderr is an interactive terminal.
	Smart bool

	// Kube resolves clients: --kubeconfig/--context flags first, then the
	// environment record of --name, then the default kubeconfig.
	Kube func(ctx context.Context) (*kube.Clients, error)
	// Env loads the record of environment --name.
	Env func() (*state.Environment, error)
	// NewStatus returns a status printer on stderr (a *Status on the real
	// streams).
	NewStatus func() progress.Status
}

// NewDeps returns Deps wired to the real streams, state dir and kube config.
// Flag values are read when the functions run, so it can be built before
// flags are parsed.
func NewDeps(streams Streams) (*Deps, error) {
	stateDir, err := state.DefaultDir()
	if err != nil {
		return nil, err
	}
	cacheDir, err := state.DefaultCacheDir()
	if err != nil {
		return nil, err
	}
	d := &Deps{
		Streams:  streams,
		Output:   OutputText,
		Name:     "labctl",
		Store:    &state.Store{Dir: stateDir},
		CacheDir: cacheDir,
		Smart:    IsSmartTerminal(streams.ErrOut),
	}
	d.Log = NewLogger(streams.ErrOut, 0)
	d.Env = func() (*state.Environment, error) { return d.Store.Load(d.Name) }
	d.Kube = d.defaultKube
	d.NewStatus = func() progress.Status { return NewStatus(d.Streams.ErrOut, d.Smart) }
	return d, nil
}

func (d *Deps) defaultKube(_ context.Context) (*kube.Clients, error) {
	if d.Kubeconfig != "" || d.Context != "" {
		return kube.Load(d.Kubeconfig, d.Context)
	}
	env, err := d.Env()
	switch {
	case err == nil:
		return kube.Load(env.Kubeconfig, env.Context)
	case errors.Is(err, state.ErrNotFound):
		return kube.Load("", "")
	default:
		return nil, err
	}
}
