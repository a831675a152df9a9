package labtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/labctl/labctl/cmd/labctl/app/lab"
	"github.com/labctl/labctl/internal/cli"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/labs/engine"
	"github.com/labctl/labctl/labs/labtest"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/provision"
)

type flagpole struct {
	all           bool
	stack         string
	junit         string
	json          string
	fromStep      int
	failFast      bool
	keepOnFailure bool
	up            bool
	provider      string
	chartMirror   string
	labDirs       []string
	diagnostics   string
}

// FailedError is returned when a lab failed; the summary is printed.
type FailedError struct{ Failed, Errors int }

func (e *FailedError) Error() string {
	return fmt.Sprintf("%d case(s) failed, %d could not run", e.Failed, e.Errors)
}

// ExitCode is the process exit code.
func (e *FailedError) ExitCode() int { return 1 }

// NewCommand returns `labctl test`.
func NewCommand(d *cli.Deps) *cobra.Command {
	f := &flagpole{}
	cmd := &cobra.Command{
		Use:   "test [LAB...]",
		Short: "Run labs unattended: every step must fail before its solution and pass after it",
		Long: `Runs each lab as CI would: start; for every step, the checks must fail before the
solution (when the step says failsBefore, the default; skipped checks count
neither way), then the solution is applied and the checks must pass; after the
last step the lab is reset to an earlier step and that step is checked again
(proving reset); then the lab stops and the environment must be as the lab found
it. Labs are grouped by stack and mesh mode, one environment per group: the
environment --name, or with --up one that labctl brings up (and down) itself.
On a failure a diagnostics folder (events, pod status, logs of pods that are not
Ready, the objects the lab applied, the check results) is named in the output.
Exits 0 only when every step passed or was skipped with a reason.`,
		Example: `  labctl test --all --up --provider kwok --junit labs.xml
  labctl test sample-basics --from-step 2
  labctl test --stack bookinfo --fail-fast --keep-on-failure`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(cmd.Context(), d, f, args)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.all, "all", false, "every lab (of --stack, if given)")
	fl.StringVar(&f.stack, "stack", "", "only labs of this stack")
	fl.StringVar(&f.junit, "junit", "", "write a JUnit XML report to this file")
	fl.StringVar(&f.json, "json", "", "write a JSON report to this file")
	fl.IntVar(&f.fromStep, "from-step", 0, "start each lab at this step (earlier solutions are replayed)")
	fl.BoolVar(&f.failFast, "fail-fast", false, "stop at the first failing step")
	fl.BoolVar(&f.keepOnFailure, "keep-on-failure", false, "leave a failed lab started and its environment up, to look at")
	fl.BoolVar(&f.up, "up", false, "bring up one environment per stack and mode (and remove it afterwards)")
	fl.StringVar(&f.provider, "provider", "", "with --up: cluster provider (kind, existing, kwok)")
	fl.StringVar(&f.chartMirror, "chart-mirror", "", "with --up: Helm repository to fetch every chart from (default $LABCTL_CHART_MIRROR)")
	fl.StringArrayVar(&f.labDirs, "labs", nil, "a folder of your own labs; repeatable (LABCTL_LABS adds more)")
	fl.StringVar(&f.diagnostics, "diagnostics", "", "folder for diagnostics bundles (default: a new folder in the temporary directory)")
	return cmd
}

func run(ctx context.Context, d *cli.Deps, f *flagpole, args []string) error {
	if f.provider != "" && !f.up {
		return errors.New("--provider needs --up (without --up, labctl test uses the environment --name as it is)")
	}
	cat, err := labs.LoadCatalog(labs.Builtin(), labs.UserDirs(f.labDirs, os.Getenv(labs.EnvLabs))...)
	if cat == nil {
		return err
	}
	if err != nil {
		d.Log.Warnf("%v", err)
	}
	selected, err := selectLabs(cat, f, args)
	if err != nil {
		return err
	}
	diag := f.diagnostics
	if diag == "" {
		diag = filepath.Join(os.TempDir(), "labctl-test-"+time.Now().UTC().Format("20060102-150405"))
	}
	o := labtest.Options{FromStep: f.fromStep, FailFast: f.failFast, KeepOnFailure: f.keepOnFailure, DiagDir: diag,
		Prepare: func(ctx context.Context, g labtest.Group) (*labtest.Environment, error) {
			return prepare(ctx, d, f, cat, g)
		},
		OnCase: func(l labtest.LabResult, c labtest.Case) {
			fmt.Fprintf(d.Streams.ErrOut, " %s %s (%s) %s: %s\n", mark(c.Result), l.Lab, l.Mode, c.Name, c.Result)
		}}
	rep := labtest.Run(ctx, labtest.Groups(selected), o)
	if f.junit != "" {
		if err := writeFile(f.junit, func(w io.Writer) error { return labtest.WriteJUnit(w, rep) }); err != nil {
			return err
		}
	}
	if f.json != "" {
		if err := writeFile(f.json, func(w io.Writer) error { return labtest.WriteJSON(w, rep) }); err != nil {
			return err
		}
	}
	if err := cli.PrintData(d.Streams.Out, d.Output, rep, func(w io.Writer) error { return labtest.WriteSummary(w, rep) }); err != nil {
		return err
	}
	if !rep.Passed {
		return &FailedError{Failed: rep.Counts.Fail, Errors: rep.Counts.Error}
	}
	return nil
}

func mark(result string) string {
	switch result {
	case labtest.Pass:
		return "✓"
	case labtest.Skipped:
		return "⊘"
	}
	return "✗"
}

func selectLabs(cat *labs.Catalog, f *flagpole, args []string) ([]*labs.Lab, error) {
	if len(args) > 0 && f.all {
		return nil, errors.New("give lab ids or --all, not both")
	}
	var out []*labs.Lab
	if len(args) == 0 {
		if !f.all && f.stack == "" {
			return nil, errors.New("name the labs to test, or pass --all (or --stack S): labctl lab list shows them")
		}
		for _, l := range cat.List() {
			if f.stack != "" && l.Spec.Stack != f.stack {
				continue
			}
			if _, err := cat.Get(l.ID()); err != nil {
				return nil, err
			}
			out = append(out, l)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("no labs of stack %q: labctl lab list shows the labs", f.stack)
		}
		return out, nil
	}
	for _, id := range args {
		l, err := cat.Get(id)
		if err != nil {
			return nil, err
		}
		if f.stack != "" && l.Spec.Stack != f.stack {
			return nil, fmt.Errorf("lab %s is of stack %s, not %s", id, l.Spec.Stack, f.stack)
		}
		out = append(out, l)
	}
	return out, nil
}

// envName names the environment --up makes for a group.
func envName(base string, g labtest.Group) string {
	n := fmt.Sprintf("%s-%s-%s", base, g.Stack, g.Mode)
	if state.ValidateName(n) == nil {
		return n
	}
	sum := sha256.Sum256([]byte(n))
	n = fmt.Sprintf("labtest-%s", hex.EncodeToString(sum[:])[:12])
	return n
}

func prepare(ctx context.Context, d *cli.Deps, f *flagpole, cat *labs.Catalog, g labtest.Group) (*labtest.Environment, error) {
	if !f.up {
		env, err := d.Store.Load(d.Name)
		if err != nil {
			return nil, fmt.Errorf("%w (or pass --up to let labctl test bring one up)", err)
		}
		if err := engine.Match(env, g.Labs[0]); err != nil {
			return nil, fmt.Errorf("%w (or pass --up)", err)
		}
		return &labtest.Environment{Name: d.Name, Engine: lab.NewEngine(d, d.Name, cat)}, nil
	}
	name := envName(d.Name, g)
	s, err := stacks.Load(g.Stack, stacks.Options{Mode: g.Mode, Provider: f.provider})
	if err != nil {
		return nil, err
	}
	p, err := provision.New(provision.Config{Store: d.Store, CacheDir: d.CacheDir, Log: d.Log, NewStatus: d.NewStatus, Mirror: f.chartMirror})
	if err != nil {
		return nil, err
	}
	if _, err := p.Up(ctx, provision.UpOptions{Name: name, Stack: s}); err != nil {
		return nil, fmt.Errorf("bringing up environment %s (stack %s, %s mode): %w", name, g.Stack, g.Mode, err)
	}
	return &labtest.Environment{Name: name, Engine: lab.NewEngine(d, name, cat),
		Release: func(ctx context.Context, failed bool) error {
			if failed && f.keepOnFailure {
				d.Log.Warnf("kept environment %s for you to look at: labctl lab status --name %s; remove it with labctl down --name %s", name, name, name)
				return nil
			}
			return p.Down(ctx, name)
		}}, nil
}

func writeFile(path string, write func(io.Writer) error) (err error) {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	defer func() {
		if cerr := fh.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("writing report %s: %w", path, cerr)
		}
	}()
	if err := write(fh); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}
