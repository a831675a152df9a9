package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	istiolog "istio.io/istio/pkg/log"
)

const usage = `usage:
  istiocheck [-stack NAME] [-mode sidecar|ambient] [-namespace NS] FILE...
      check manifest files on top of a built-in stack's objects
  istiocheck -labs DIR [-labs DIR...] [-lab ID] [-v]
      check every lab under each DIR (e.g. labs/bookinfo), step by step, in each of
      its modes: stack + baseline + solutions 1..N at step N

Fails (exit 1) on any Istio validation error or warning and on any analyzer
message of level Warning or Error that the step does not declare in
istioMessages. Exit 2: the input could not be read.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// errFindings means the check ran and Istio reported problems.
var errFindings = errors.New("Istio reported problems")

func run(args []string, stdout, stderr io.Writer) int {
	quietIstio()
	fl := flag.NewFlagSet("istiocheck", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() { fmt.Fprint(stderr, usage) }
	stack := fl.String("stack", "bookinfo", "built-in stack whose objects are present")
	mode := fl.String("mode", "", "mesh mode (sidecar or ambient; default: the stack's)")
	ns := fl.String("namespace", "default", "namespace for objects in FILEs that name none")
	var labDirs []string
	fl.Func("labs", "folder of lab folders to check step by step (repeatable)", func(s string) error {
		labDirs = append(labDirs, s)
		return nil
	})
	labID := fl.String("lab", "", "with -labs: check only this lab")
	verbose := fl.Bool("v", false, "print every state checked, not only problems")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	var err error
	switch {
	case len(labDirs) > 0 && fl.NArg() > 0:
		fmt.Fprintln(stderr, "istiocheck: give -labs or FILEs, not both")
		return 2
	case len(labDirs) > 0:
		err = checkLabs(labDirs, *labID, stdout, *verbose)
	case fl.NArg() > 0:
		err = checkFiles(*stack, *mode, *ns, fl.Args(), stdout)
	default:
		fl.Usage()
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errFindings):
		fmt.Fprintln(stderr, "istiocheck:", err)
		return 1
	default:
		fmt.Fprintln(stderr, "istiocheck:", err)
		return 2
	}
}

// checkFiles checks the objects of files applied on top of a stack.
func checkFiles(stackName, mode, ns string, files []string, w io.Writer) error {
	st, err := LoadStack(stackName, mode)
	if err != nil {
		return err
	}
	set := NewSet()
	set.Apply(st.Objects...)
	var mine []Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		objs, err := decode(f, data, ns)
		if err != nil {
			return err
		}
		mine = append(mine, objs...)
	}
	set.Apply(mine...)
	findings, err := CheckState(set.Objects(), st)
	if err != nil {
		return err
	}
	for _, f := range findings {
		fmt.Fprintln(w, f)
	}
	if len(findings) > 0 {
		return fmt.Errorf("%w: %d finding(s) for %d file(s) on stack %s", errFindings, len(findings), len(files), st.Name)
	}
	fmt.Fprintf(w, "ok: %d object(s) from %d file(s) on stack %s (%s): no Istio validation or analysis problems\n", len(mine), len(files), st.Name, st.Mode)
	return nil
}

// CheckState validates and analyzes one state of the cluster.
func CheckState(objs []Object, st *Stack) ([]Finding, error) {
	findings := Validate(objs)
	msgs, err := Analyze(objs, st)
	if err != nil {
		return nil, err
	}
	return append(findings, msgs...), nil
}

// quietIstio keeps Istio's informational log lines (krt sync messages and
// the like) off the output; errors still show.
func quietIstio() {
	for _, s := range istiolog.Scopes() {
		s.SetOutputLevel(istiolog.ErrorLevel)
	}
}
