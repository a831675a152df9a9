package open

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/appurl"
	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/portforward"
	"github.com/labctl/labctl/internal/state"
)

// flagpole holds the command's flags.
type flagpole struct {
	browser   bool
	noBrowser bool
	port      int
	namespace string
	app       string
}

// result is what the command prints as data.
type result struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	Namespace string `json:"namespace,omitempty"`
	Service   string `json:"service,omitempty"`
	Pod       string `json:"pod,omitempty"`
	// Forwarded is false when the URL is reachable without a tunnel (the app through its ingress).
	Forwarded bool `json:"forwarded"`
}

// tunnel is a running port-forward as run sees it.
type tunnel struct {
	URL  string
	Pod  string
	Done <-chan struct{}
	Err  func() error
}

// seams are the side effects run needs; tests replace them.
type seams struct {
	forward func(ctx context.Context, c *kube.Clients, o portforward.Options) (tunnel, error)
	browse  func(ctx context.Context, url string) error
}

func realSeams() seams {
	return seams{
		forward: func(ctx context.Context, c *kube.Clients, o portforward.Options) (tunnel, error) {
			if c == nil || c.Kube == nil {
				return tunnel{}, errors.New("no cluster clients: check --kubeconfig/--context or the environment record")
			}
			s, err := portforward.New(c.Kube, c.REST).Start(ctx, o)
			if err != nil {
				return tunnel{}, err
			}
			return tunnel{URL: s.URL, Pod: s.Backend.Pod, Done: s.Done(), Err: s.Err}, nil
		},
		browse: openBrowser,
	}
}

// NewCommand returns `labctl open`.
func NewCommand(d *cli.Deps) *cobra.Command {
	f := &flagpole{}
	names := dashboardNames()
	cmd := &cobra.Command{
		Use:       "open NAME",
		Short:     "Open a dashboard (kiali, grafana, prometheus, jaeger, zipkin) or the app on 127.0.0.1",
		ValidArgs: names,
		Long: `Port-forward a dashboard of the environment to 127.0.0.1 and print its URL.
The tunnel stays up until Ctrl-C. It listens on the loopback interface only:
the dashboards run without authentication.

NAME is one of: ` + strings.Join(names, ", ") + `. "app" prints the app's ingress URL
from the environment record when it has one (no tunnel needed), and otherwise
forwards to the ingress gateway Service.

The local port is the usual one (Kiali 20001, Grafana 3000, Prometheus 9090,
Jaeger 16686, Zipkin 9411) when it is free, else any free port; --port picks it.
A browser is opened only with --browser.`,
		Example: `  labctl open kiali
  labctl open grafana --browser
  labctl open prometheus --port 19090 -o json
  labctl open app --app bookinfo`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Ctrl-C cancels cmd.Context() (the root command's signal
			// handling); a second Ctrl-C exits at once.
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			return run(ctx, d, f, args[0], realSeams())
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.browser, "browser", false, "open the URL in the default browser (xdg-open / open)")
	fl.BoolVar(&f.noBrowser, "no-browser", false, "never open a browser (wins over --browser)")
	fl.IntVar(&f.port, "port", 0, "local port on 127.0.0.1 (0: the usual port if free, else any free port)")
	fl.StringVar(&f.namespace, "namespace", "", "namespace of the dashboard's Service (default "+portforward.AddonNamespace+")")
	fl.StringVar(&f.app, "app", "", `with "app": which app of the environment (default: the first)`)
	return cmd
}

func dashboardNames() []string {
	var names []string
	for _, db := range portforward.Dashboards() {
		names = append(names, db.Name)
	}
	return append(names, "app")
}

func run(ctx context.Context, d *cli.Deps, f *flagpole, name string, s seams) error {
	if err := cli.ValidateOutput(outputOf(d)); err != nil {
		return err
	}
	if f.port < 0 || f.port > 65535 {
		return fmt.Errorf("--port %d is out of range 0-65535 (0 picks one)", f.port)
	}
	var db portforward.Dashboard
	if name == "app" {
		direct, fallback, err := appTarget(d, f.app)
		if err != nil {
			return err
		}
		if direct != "" {
			return show(ctx, d, f, s, result{Name: "app", URL: direct})
		}
		db = fallback
	} else {
		var err error
		if db, err = portforward.Lookup(name); err != nil {
			return err
		}
	}
	if f.namespace != "" {
		db.Namespace = f.namespace
	}

	clients, err := d.Kube(ctx)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	opts := db.Options(f.port)
	opts.Log = verboseWriter(d)
	t, err := s.forward(ctx, clients, opts)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	res := result{Name: name, URL: t.URL, Namespace: db.Namespace, Service: db.Service, Pod: t.Pod, Forwarded: true}
	if err := show(ctx, d, f, s, res); err != nil {
		return err
	}
	d.Log.V(0).Infof("Forwarding %s/%s:%d (pod %s) at %s; press Ctrl-C to stop", db.Namespace, db.Service, db.Port, t.Pod, t.URL)
	<-t.Done
	return t.Err()
}

// show prints the result and opens the browser when asked.
func show(ctx context.Context, d *cli.Deps, f *flagpole, s seams, res result) error {
	err := cli.PrintData(d.Streams.Out, outputOf(d), res, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, res.URL)
		return err
	})
	if err != nil {
		return err
	}
	if f.browser && !f.noBrowser {
		if err := s.browse(ctx, res.URL); err != nil {
			d.Log.Warnf("could not open a browser (%v): open %s yourself", err, res.URL)
		}
	}
	return nil
}

// appTarget returns the app's direct URL from the environment record, or the
// ingress gateway dashboard to forward to when the record has no URL.
func appTarget(d *cli.Deps, appName string) (string, portforward.Dashboard, error) {
	if d.Env == nil {
		return "", portforward.Dashboard{}, errors.New(`open app: no environment record available: create one with "labctl up" or pass --name`)
	}
	env, err := d.Env()
	if err != nil {
		return "", portforward.Dashboard{}, fmt.Errorf("open app: %w", err)
	}
	app := state.App{Name: "app"}
	if len(env.Apps) > 0 || appName != "" {
		if app, err = env.PickApp(appName); err != nil {
			return "", portforward.Dashboard{}, err
		}
	}
	t, err := appurl.Resolve(env.IngressURL, app.URLApp(), "")
	switch {
	case err == nil:
		return t.URL, portforward.Dashboard{}, nil
	case errors.Is(err, appurl.ErrNoURL):
		path := app.Path
		if path == "" {
			path = "/"
		}
		return "", portforward.AppDashboard(path), nil
	}
	return "", portforward.Dashboard{}, err
}

func outputOf(d *cli.Deps) string {
	if d.Output == "" {
		return cli.OutputText
	}
	return d.Output
}

// verboseWriter passes client-go's per-connection lines to stderr at -v 2.
func verboseWriter(d *cli.Deps) io.Writer {
	if d.Log != nil && d.Log.V(2).Enabled() {
		return d.Streams.ErrOut
	}
	return nil
}
