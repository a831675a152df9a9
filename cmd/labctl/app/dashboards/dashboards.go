package dashboards

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/portforward"
)

// row is one listed dashboard; URL is set for the app when the environment
// record knows how to reach it without a tunnel.
type row struct {
	portforward.Dashboard
	URL string `json:"url,omitempty"`
}

// NewCommand returns `labctl dashboards`.
func NewCommand(d *cli.Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "dashboards",
		Short: "List the dashboards `labctl open` can reach",
		Long: `List the dashboards of an environment: name, Service, namespace, port and path.
"labctl open NAME" port-forwards one of them to 127.0.0.1. The app row shows
the app's URL when the environment record has one (-o json for scripts).`,
		Example: `  labctl dashboards
  labctl dashboards -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(d)
		},
	}
}

func run(d *cli.Deps) error {
	format := d.Output
	if format == "" {
		format = cli.OutputText
	}
	if err := cli.ValidateOutput(format); err != nil {
		return err
	}
	rows := list(d)
	return cli.PrintData(d.Streams.Out, format, rows, func(w io.Writer) error {
		return printTable(w, rows)
	})
}

// list returns the addon dashboards and the app. The app comes from the
// environment record when there is one; without it, the ingress gateway.
func list(d *cli.Deps) []row {
	var rows []row
	for _, db := range portforward.Dashboards() {
		rows = append(rows, row{Dashboard: db})
	}
	app := row{Dashboard: portforward.AppDashboard("/")}
	if d.Env != nil {
		if env, err := d.Env(); err == nil && env != nil {
			if len(env.Apps) > 0 {
				a := env.Apps[0]
				if a.Path != "" {
					app.Path = a.Path
				}
				app.URL = a.URL
			}
			if app.URL == "" && env.IngressURL != "" {
				app.URL = env.IngressURL
			}
		} else if err != nil {
			d.Log.V(1).Infof("no environment record (%v): listing the app through the ingress gateway", err)
		}
	}
	return append(rows, app)
}

func printTable(w io.Writer, rows []row) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSERVICE\tNAMESPACE\tPORT\tPATH\tDESCRIPTION")
	for _, r := range rows {
		path := r.Path
		if path == "" {
			path = "/"
		}
		desc := r.Description
		if r.URL != "" {
			desc = r.URL
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", r.Name, r.Service, r.Namespace, r.Port, path, desc)
	}
	return tw.Flush()
}
