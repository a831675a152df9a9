package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/verify"
)

func plan(t *testing.T) (*stacks.Versions, *labs.Catalog, []Run) {
	t.Helper()
	v, err := stacks.LoadVersions()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := labs.LoadCatalog(labs.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	runs, err := Plan(v, cat)
	if err != nil {
		t.Fatal(err)
	}
	return v, cat, runs
}

// The plan covers what issue 12 item 5 asks: every stack in its own mode,
// every lab somewhere, the oldest and newest Istio minor of the lock, and
// Gateway API ingress.
func TestPlanCoverage(t *testing.T) {
	v, cat, runs := plan(t)
	has := func(pred func(Run) bool) bool { return slices.ContainsFunc(runs, pred) }
	rels := v.Releases()
	oldest, newest := rels[len(rels)-1].Minor(), rels[0].Minor()
	if oldest == newest {
		t.Fatalf("the lock holds one Istio minor (%s): the e2e plan needs an oldest and a newest", oldest)
	}
	cases := []struct {
		name string
		pred func(Run) bool
	}{
		{"oldest Istio minor " + oldest, func(r Run) bool { return r.Istio == oldest && r.Stack == defaultStack }},
		{"newest Istio minor " + newest, func(r Run) bool { return r.Istio == newest && r.Stack == defaultStack }},
		{"Gateway API ingress", func(r Run) bool { return r.Ingress == stacks.IngressGatewayAPI && len(r.Labs) > 0 }},
		{"ambient mode", func(r Run) bool { return r.Mode == stacks.ModeAmbient }},
	}
	for _, name := range stacks.BuiltinNames() {
		mode := stackMode(name)
		cases = append(cases, struct {
			name string
			pred func(Run) bool
		}{"stack " + name + " in " + mode + " mode", func(r Run) bool {
			return r.Stack == name && r.Mode == mode && r.Istio == stacks.Minor(v.Istio.Version) && r.Ingress == stacks.IngressIstio
		}})
	}
	for _, l := range cat.List() {
		for _, m := range l.SupportedModes() {
			cases = append(cases, struct {
				name string
				pred func(Run) bool
			}{"lab " + l.ID() + " in " + m + " mode", func(r Run) bool {
				return r.Stack == l.Spec.Stack && r.Mode == m && slices.Contains(r.Labs, l.ID())
			}})
		}
	}
	for _, c := range cases {
		if !has(c.pred) {
			t.Errorf("no run for %s", c.name)
		}
	}
}

// Every run can be brought up as planned: a valid environment name, a stack
// that loads with its overrides, labs of that stack and mode, unique ids,
// and smoke checks that labctl check accepts.
func TestPlanRunsAreRunnable(t *testing.T) {
	v, cat, runs := plan(t)
	ids := map[string]bool{}
	for _, r := range runs {
		t.Run(r.ID, func(t *testing.T) {
			if ids[r.ID] {
				t.Fatalf("duplicate run id %s", r.ID)
			}
			ids[r.ID] = true
			if err := state.ValidateName(r.EnvName()); err != nil {
				t.Error(err)
			}
			if _, err := v.Release(r.Istio); err != nil {
				t.Error(err)
			}
			s, err := stacks.Load(r.Stack, stacks.Options{Mode: r.Mode, IstioVersion: r.Istio, Sets: r.Sets()})
			if err != nil {
				t.Fatal(err)
			}
			if s.Spec.Mesh.Ingress.Mode != r.Ingress || s.Spec.Mesh.Mode != r.Mode {
				t.Errorf("stack resolves to mode %s, ingress %s; the run says %s, %s", s.Spec.Mesh.Mode, s.Spec.Mesh.Ingress.Mode, r.Mode, r.Ingress)
			}
			for _, id := range r.Labs {
				l, err := cat.Get(id)
				if err != nil {
					t.Fatal(err)
				}
				if l.Spec.Stack != r.Stack || !slices.Contains(l.SupportedModes(), r.Mode) {
					t.Errorf("lab %s is for stack %s in %v, not this run", id, l.Spec.Stack, l.SupportedModes())
				}
			}
			cs, err := SmokeChecks(r)
			if err != nil {
				t.Fatal(err)
			}
			if cs == nil {
				if len(s.Spec.Apps) > 0 && s.Spec.Apps[0].Ingress != nil {
					t.Error("no smoke checks for a stack with an app behind the ingress")
				}
				return
			}
			var buf bytes.Buffer
			if err := run([]string{"checks", r.ID}, &buf); err != nil {
				t.Fatal(err)
			}
			parsed, err := verify.ParseCheckSet("checks.yaml", buf.Bytes())
			if err != nil {
				t.Fatalf("labctl check would refuse the smoke checks: %v\n%s", err, buf.String())
			}
			if len(parsed.Checks) != len(cs.Checks) {
				t.Errorf("%d checks parsed, %d made", len(parsed.Checks), len(cs.Checks))
			}
		})
	}
}

func TestCommands(t *testing.T) {
	_, _, runs := plan(t)
	cases := []struct {
		args    []string
		want    []string // lines or fragments the output must contain
		wantErr string
	}{
		{args: []string{"list"}, want: []string{runs[0].ID + "\n"}},
		{args: []string{"show", "bookinfo-gatewayapi"}, want: []string{"env=e2e-bookinfo-gatewayapi\n", "sets=mesh.ingress.mode=gatewayapi\n", "stack=bookinfo\n"}},
		{args: []string{"show", "bookinfo"}, want: []string{"sets=\n", "ingress=istio\n"}},
		{args: []string{"node-image"}, want: []string{"kindest/node:"}},
		{args: []string{"matrix", "minimal", "bookinfo-gatewayapi"}, want: []string{`{"include":[{"id":"minimal",`, `"id":"bookinfo-gatewayapi"`}},
		{args: []string{"matrix", "nope"}, wantErr: "no end-to-end run \"nope\""},
		{args: []string{"show", "nope"}, wantErr: "no end-to-end run \"nope\": use one of bookinfo,"},
		{args: []string{"show"}, wantErr: "show takes 1 argument(s)"},
		{args: []string{"frobnicate"}, wantErr: `unknown command "frobnicate"`},
		{args: nil, wantErr: "usage:"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, "_"), func(t *testing.T) {
			var buf bytes.Buffer
			err := run(c.args, &buf)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, buf.String())
				}
			}
		})
	}
}

// The matrix is one line of JSON (what $GITHUB_OUTPUT takes) whose entries
// carry the fields the workflow reads.
func TestMatrix(t *testing.T) {
	var buf bytes.Buffer
	if err := run([]string{"matrix"}, &buf); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 1 {
		t.Fatalf("matrix spans %d lines, want 1", n)
	}
	var m struct {
		Include []map[string]any `json:"include"`
	}
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Include) == 0 {
		t.Fatal("empty matrix")
	}
	for _, e := range m.Include {
		for _, k := range []string{"id", "name", "stack", "mode", "istio", "ingress", "labs"} {
			if _, ok := e[k]; !ok {
				t.Errorf("matrix entry %v lacks %s", e["id"], k)
			}
		}
	}
}
