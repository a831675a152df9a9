package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/stacks"
)

const usage = `usage: go run ./hack/e2e COMMAND
  matrix [ID...]  the runs (all, or those named) as a GitHub Actions matrix ({"include":[...]}, one line)
  list            the run ids, one a line
  show ID         one run as shell-safe KEY=VALUE lines (env, stack, mode, istio, ingress, sets, labs)
  checks ID       the run's smoke CheckSet (YAML; nothing when its stack has no app behind the ingress)
  node-image      the kind node image of the version lock`

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	v, err := stacks.LoadVersions()
	if err != nil {
		return err
	}
	cat, err := labs.LoadCatalog(labs.Builtin())
	if cat == nil || err != nil {
		return fmt.Errorf("loading the built-in labs: %w", err)
	}
	runs, err := Plan(v, cat)
	if err != nil {
		return err
	}
	want := func(n int) error {
		if len(args) != n+1 {
			return fmt.Errorf("%s takes %d argument(s)\n%s", args[0], n, usage)
		}
		return nil
	}
	switch args[0] {
	case "matrix":
		if len(args) > 1 {
			var picked []Run
			for _, id := range args[1:] {
				r, err := Find(runs, id)
				if err != nil {
					return err
				}
				picked = append(picked, r)
			}
			runs = picked
		}
		b, err := json.Marshal(map[string][]Run{"include": runs})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", b)
		return err
	case "list":
		if err := want(0); err != nil {
			return err
		}
		for _, r := range runs {
			fmt.Fprintln(out, r.ID)
		}
		return nil
	case "show":
		if err := want(1); err != nil {
			return err
		}
		r, err := Find(runs, args[1])
		if err != nil {
			return err
		}
		return writeShow(out, r)
	case "checks":
		if err := want(1); err != nil {
			return err
		}
		r, err := Find(runs, args[1])
		if err != nil {
			return err
		}
		cs, err := SmokeChecks(r)
		if err != nil || cs == nil {
			return err
		}
		b, err := yaml.Marshal(cs)
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	case "node-image":
		if err := want(0); err != nil {
			return err
		}
		_, err := fmt.Fprintln(out, v.Kind.NodeImage)
		return err
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

// writeShow prints a run for `while IFS== read -r k v` in hack/e2e.sh. Every
// value is made of characters that need no quoting; a value that is not is
// refused rather than printed.
func writeShow(out io.Writer, r Run) error {
	kv := [][2]string{
		{"env", r.EnvName()}, {"stack", r.Stack}, {"mode", r.Mode}, {"istio", r.Istio}, {"ingress", r.Ingress},
		{"sets", strings.Join(r.Sets(), " ")}, {"labs", strings.Join(r.Labs, " ")},
	}
	for _, p := range kv {
		if strings.ContainsFunc(p[1], func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune(" .-=_", c))
		}) {
			return fmt.Errorf("run %s: %s %q has characters hack/e2e.sh would have to quote", r.ID, p[0], p[1])
		}
		if _, err := fmt.Fprintf(out, "%s=%s\n", p[0], p[1]); err != nil {
			return err
		}
	}
	return nil
}
