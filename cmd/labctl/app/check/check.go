package check

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/internal/checkenv"
	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/progress"
	"github.com/labctl/labctl/verify"
	"github.com/labctl/labctl/verify/report"
)

// FailedError is returned when a check failed or could not run. The report
// has been printed already, so the root command should exit with ExitCode
// and print nothing more.
type FailedError struct {
	Failed, Errors int
}

func (e *FailedError) Error() string {
	return fmt.Sprintf("%d check(s) failed, %d could not run", e.Failed, e.Errors)
}

// ExitCode is the process exit code for a failed check run.
func (e *FailedError) ExitCode() int { return 1 }

type flagpole struct {
	file  string
	junit string
	urls  checkenv.URLs
}

// NewCommand returns `labctl check`.
func NewCommand(d *cli.Deps) *cobra.Command {
	var f flagpole
	cmd := &cobra.Command{
		Use:   "check -f FILE",
		Short: "Run a check set and report pass, fail, skipped or error per check",
		Long: `Runs the checks of a CheckSet file (apiVersion labctl.dev/v1alpha1) against the
environment: pods, resource, http, split, promql, kiali, trace and exec checks, each
retried until it passes the wanted number of times in a row or times out.

Prometheus, Kiali, Jaeger and Zipkin are reached by the --*-url flags, else through a
port-forward to the addon in istio-system. On a simulated cluster the checks that need
traffic are reported as skipped. Exits 0 only if every check that ran passed.`,
		Example: `  labctl check -f step3-checks.yaml
  labctl check -f checks.yaml --junit report.xml -o json
  labctl check -f checks.yaml --prometheus-url http://127.0.0.1:9090`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd, d, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.file, "file", "f", "", "check-set file (YAML)")
	fl.StringVar(&f.junit, "junit", "", "also write a JUnit XML report to this file")
	fl.StringVar(&f.urls.Prometheus, "prometheus-url", "", "Prometheus base URL (default: port-forward to istio-system/prometheus)")
	fl.StringVar(&f.urls.Kiali, "kiali-url", "", "Kiali base URL including its web root, e.g. http://127.0.0.1:20001/kiali (default: port-forward)")
	fl.StringVar(&f.urls.Jaeger, "jaeger-url", "", "Jaeger query base URL (default: port-forward to istio-system/jaeger)")
	fl.StringVar(&f.urls.Zipkin, "zipkin-url", "", "Zipkin base URL (default: port-forward to istio-system/zipkin)")
	fl.StringVar(&f.urls.Ingress, "ingress-url", "", "ingress base URL for app targets (default: the environment's)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func run(cmd *cobra.Command, d *cli.Deps, f flagpole) error {
	ctx := cmd.Context()
	if err := cli.CheckOutputFile("--junit", f.junit); err != nil {
		return err
	}
	cs, err := verify.LoadCheckSet(f.file)
	if err != nil {
		return err
	}
	env, err := buildEnv(ctx, d, cs.Checks, f.urls)
	if err != nil {
		return err
	}
	status := d.NewStatus()
	r := verify.Runner{
		Env:      env,
		OnStart:  func(s verify.Spec) { status.Start(s.Name, s.Name+" ("+s.Type()+")") },
		OnResult: func(res verify.Result) { finish(status, res) },
	}
	rep := r.Run(ctx, cs.Checks)
	status.Close()
	rep.Name = cs.Metadata.Name

	if f.junit != "" {
		if err := writeJUnit(f.junit, rep); err != nil {
			return err
		}
	}
	out := d.Streams.Out
	if err := cli.PrintData(out, d.Output, rep, func(w io.Writer) error {
		return report.WriteText(w, rep, cli.IsSmartTerminal(out))
	}); err != nil {
		return err
	}
	if !rep.Passed {
		return &FailedError{Failed: rep.Counts.Fail, Errors: rep.Counts.Error}
	}
	return nil
}

func finish(s progress.Status, res verify.Result) {
	line := report.Line(res)
	switch res.Status {
	case verify.StatusPass:
		s.Done(res.Name, line)
	case verify.StatusSkipped:
		s.Skip(res.Name, line)
	default:
		s.Fail(res.Name, line)
	}
}

func writeJUnit(path string, rep verify.Report) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing the JUnit report: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("writing the JUnit report %s: %w", path, cerr)
		}
	}()
	if err := report.WriteJUnit(f, rep); err != nil {
		return fmt.Errorf("writing the JUnit report %s: %w", path, err)
	}
	return nil
}
