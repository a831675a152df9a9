package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/redact"
	"github.com/labctl/labctl/loadgen"
	"github.com/labctl/labctl/loadgen/classify"
)

// flagpole holds the command's flags.
type flagpole struct {
	rps         string
	duration    time.Duration
	requests    int64
	concurrency int
	headers     []string
	host        string
	method      string
	body        string
	h2c         bool
	timeout     time.Duration
	classify    string
	rules       []string
	jsonFile    string
	htmlFile    string
	inCluster   bool
	from        string
	image       string
}

// NewCommand returns `labctl load`.
func NewCommand(d *cli.Deps) *cobra.Command {
	f := &flagpole{}
	cmd := &cobra.Command{
		Use:   "load [APP[/PATH] | URL]",
		Short: "Send traffic with a known rate, headers and user, and report latency, codes and classes",
		Long: `Send HTTP traffic to an app of the environment (through its ingress, with its
Host header) or to any URL, at a constant rate (--rps N, open model: latency is
measured from each request's intended send time) or as fast as possible
(--rps max). Each request at a fixed rate has its own intended send time
and the report says how late requests left. A run ends after --requests or
--duration (no request starts after it) plus at most --timeout for requests
in flight. Live progress goes to stderr; the report goes to stdout, and to
--json / --html files. Ctrl-C stops early and reports what was measured; a
second Ctrl-C exits at once.

Classify responses to see how traffic was split: --classify with one of
` + strings.Join(classify.BuiltinNames(), ", ") + `, or --classify-rule CLASS=REGEX
(body) / CLASS=header:NAME=REGEX (repeatable, first match wins).

--in-cluster runs fortio in a Job in namespace --from, so the traffic comes
from inside the mesh (circuit breaking, mTLS labs); the URL is then an
in-cluster address such as http://httpbin.default:8000/get.`,
		Example: `  labctl load bookinfo --rps 20 --duration 30s --classify bookinfo-reviews
  labctl load bookinfo -H 'end-user: jason' --requests 100 --html report.html
  labctl load http://127.0.0.1:8080/ --rps max --concurrency 16 --duration 10s --json out.json
  labctl load --in-cluster --from default http://httpbin:8000/get --rps max -c 3 --requests 30`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := ""
			if len(args) == 1 {
				arg = args[0]
			}
			return run(cmd.Context(), d, f, arg)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.rps, "rps", "10", `target requests per second (above 0), or "max" for as fast as the target answers`)
	fl.DurationVarP(&f.duration, "duration", "d", loadgen.DefaultDuration,
		"how long to send; no request starts after it, those in flight get up to --timeout (ignored with --requests)")
	fl.Int64VarP(&f.requests, "requests", "n", 0, "send exactly this many requests instead of running for --duration")
	fl.IntVarP(&f.concurrency, "concurrency", "c", loadgen.DefaultConcurrency, "connections (maximum requests in flight)")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, `extra request header "Name: value" (repeatable)`)
	fl.StringVar(&f.host, "host", "", "Host header (default: the app's host, or the URL's)")
	fl.StringVarP(&f.method, "method", "X", "", "HTTP method (default GET, or POST with --body)")
	fl.StringVar(&f.body, "body", "", "request body; @FILE reads it from a file")
	fl.BoolVar(&f.h2c, "h2c", false, "use HTTP/2 over cleartext (prior knowledge) instead of HTTP/1.1")
	fl.DurationVar(&f.timeout, "timeout", loadgen.DefaultTimeout, "timeout per request")
	fl.StringVar(&f.classify, "classify", "", "built-in classifier: "+strings.Join(classify.BuiltinNames(), ", "))
	fl.StringArrayVar(&f.rules, "classify-rule", nil, "classification rule CLASS=REGEX or CLASS=header:NAME=REGEX (repeatable)")
	fl.StringVar(&f.jsonFile, "json", "", `also write the results as JSON (fortio-compatible) to this file ("-" for stdout)`)
	fl.StringVar(&f.htmlFile, "html", "", "also write an HTML report (works offline) to this file")
	fl.BoolVar(&f.inCluster, "in-cluster", false, "send the traffic from a fortio Job inside the cluster")
	fl.StringVar(&f.from, "from", "default", "namespace of the in-cluster load Job (with --in-cluster)")
	fl.StringVar(&f.image, "image", "", "fortio image for --in-cluster (default "+defaultImage+")")
	return cmd
}

func run(ctx context.Context, d *cli.Deps, f *flagpole, arg string) error {
	// Ctrl-C cancels ctx through the root command's signal handling (the
	// only place that handles signals): the run stops and reports; a
	// second Ctrl-C exits at once.
	if ctx == nil {
		ctx = context.Background()
	}
	o, err := f.options()
	if err != nil {
		return err
	}
	for _, out := range []struct{ flag, path string }{{"--json", f.jsonFile}, {"--html", f.htmlFile}} {
		if err := cli.CheckOutputFile(out.flag, out.path); err != nil {
			return err
		}
	}
	var res *loadgen.Result
	if f.inCluster {
		res, err = runInCluster(ctx, d, f, o, arg)
	} else {
		res, err = runLocal(ctx, d, o, arg)
	}
	if err != nil {
		return err
	}
	if err := writeOutputs(d, f, res); err != nil {
		return err
	}
	if res.Labctl.Interrupted {
		return errors.New("load interrupted: the report above is partial")
	}
	return nil
}

func runLocal(ctx context.Context, d *cli.Deps, o loadgen.Options, arg string) (*loadgen.Result, error) {
	t, err := resolveTarget(d, arg)
	if err != nil {
		return nil, err
	}
	o.URL = t.URL
	if o.Host == "" {
		o.Host = t.Host
	}
	p := loadgen.NewProgress(d.Streams.ErrOut, d.Smart, 0)
	o.Progress = p.Update
	d.Log.V(1).Infof("loading %s (Host %q)", redact.URL(o.URL), o.Host)
	res, err := loadgen.Run(ctx, o)
	p.Done()
	return res, err
}

// options turns the flags into loadgen options (without the target).
func (f *flagpole) options() (loadgen.Options, error) {
	o := loadgen.Options{
		Duration:    f.duration,
		Requests:    f.requests,
		Concurrency: f.concurrency,
		Host:        f.host,
		Method:      f.method,
		H2C:         f.h2c,
		Timeout:     f.timeout,
		Header:      http.Header{},
	}
	rps, err := parseRate(f.rps)
	if err != nil {
		return o, err
	}
	o.RPS = rps
	if f.requests < 0 {
		return o, fmt.Errorf("--requests %d: want a positive count (or leave it out and give --duration)", f.requests)
	}
	if f.requests == 0 && f.duration <= 0 {
		return o, fmt.Errorf("--duration %s: want a positive duration such as 30s (or --requests N for a request count)", f.duration)
	}
	if f.timeout <= 0 {
		return o, fmt.Errorf("--timeout %s: want a positive duration per request such as 2s", f.timeout)
	}
	if f.concurrency < 1 {
		return o, fmt.Errorf("--concurrency %d: want at least 1", f.concurrency)
	}
	for _, h := range f.headers {
		if err := loadgen.ParseHeader(o.Header, h); err != nil {
			return o, fmt.Errorf("-H: %w", err)
		}
	}
	if file, ok := strings.CutPrefix(f.body, "@"); ok {
		b, err := os.ReadFile(file)
		if err != nil {
			return o, fmt.Errorf("--body @%s: %w", file, err)
		}
		o.Body = b
	} else if f.body != "" {
		o.Body = []byte(f.body)
	}
	c, name, err := classifier(f.classify, f.rules)
	if err != nil {
		return o, err
	}
	o.Classifier, o.ClassifierName = c, name
	if err := o.ValidateTraffic(); err != nil { // method, Host, headers: before anything is sent
		return o, flagError(err)
	}
	return o, nil
}

// flagError names the flag behind a loadgen validation error.
func flagError(err error) error {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "HTTP method"):
		return fmt.Errorf("-X/--method: %w", err)
	case strings.HasPrefix(msg, "host header"):
		return fmt.Errorf("--host: %w", err)
	case strings.HasPrefix(msg, "header"):
		return fmt.Errorf("-H: %w", err)
	}
	return err
}

// parseRate reads --rps: a positive finite number, or "max".
func parseRate(s string) (float64, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "max" {
		return 0, nil
	}
	rps, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("--rps %q: want a number of requests per second such as 50, or --rps max for as fast as the target answers", s)
	case errors.Is(err, strconv.ErrRange) || math.IsNaN(rps) || math.IsInf(rps, 0):
		return 0, fmt.Errorf("--rps %q is not a finite rate: give requests per second such as 50, or --rps max for as fast as the target answers", s)
	case rps <= 0:
		return 0, fmt.Errorf("--rps %q: a rate must be above 0; use --rps max for as fast as the target answers", s)
	}
	return rps, nil
}

func classifier(name string, rules []string) (classify.Classifier, string, error) {
	if name != "" && len(rules) > 0 {
		return nil, "", errors.New("use either --classify or --classify-rule, not both")
	}
	if name != "" {
		c, ok := classify.Builtin(name)
		if !ok {
			return nil, "", fmt.Errorf("--classify %q: unknown classifier; built-in ones are %s (or use --classify-rule)",
				name, strings.Join(classify.BuiltinNames(), ", "))
		}
		return c, name, nil
	}
	if len(rules) == 0 {
		return nil, "", nil
	}
	var rs classify.Rules
	for _, s := range rules {
		r, err := classify.ParseRule(s)
		if err != nil {
			return nil, "", fmt.Errorf("--classify-rule: %w", err)
		}
		rs = append(rs, r)
	}
	c, err := rs.Compile()
	if err != nil {
		return nil, "", fmt.Errorf("--classify-rule: %w", err)
	}
	return c, "rules", nil
}
