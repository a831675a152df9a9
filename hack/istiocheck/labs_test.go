package main

import (
	"strings"
	"testing"

	"github.com/labctl/labctl/labs"
)

func TestLabStates(t *testing.T) {
	l, err := labs.LoadDir("testdata/labs/route-demo")
	if err != nil {
		t.Fatal(err)
	}
	if p := l.Validate(); len(p) > 0 {
		t.Fatalf("test lab does not validate: %v", p)
	}
	res, err := LabStates(l, nil, bookinfo(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name    string
		problem string // "" = clean
	}{
		{"baseline", ""},
		{"step 1 (route-v1)", ""},
		{"step 2 (route-v9)", `Error [IST0101] (VirtualService bookinfo/reviews, from testdata/labs/route-demo/lab.yaml: spec.steps[1].solution[0] (inline)) Referenced host+subset in destinationrule not found: "reviews+v9"`},
		{"step 3 (remove-route)", ""},
		{"step 4 (replace-ingress)", "VirtualService bookinfo/bookinfo replaces the stack's own object (stack bookinfo: chart bookinfo)"},
	}
	if len(res) != len(want) {
		t.Fatalf("got %d states, want %d: %+v", len(res), len(want), res)
	}
	for i, w := range want {
		r := res[i]
		if r.Name != w.name {
			t.Errorf("state %d is %q, want %q", i, r.Name, w.name)
		}
		got := strings.Join(r.Problems, "\n")
		switch {
		case w.problem == "" && got != "":
			t.Errorf("%s: want clean, got:\n%s", r.Name, got)
		case w.problem != "" && !strings.Contains(got, w.problem):
			t.Errorf("%s: want a problem containing\n  %s\ngot:\n%s", r.Name, w.problem, got)
		}
	}
}

func TestCheckLabsFailsOnFindings(t *testing.T) {
	var out strings.Builder
	code := run([]string{"-labs", "testdata/labs"}, &out, &out)
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out.String())
	}
	for _, want := range []string{"FAIL istiocheck-route-demo [sidecar] step 2 (route-v9)", "FAIL istiocheck-route-demo [ambient] step 2 (route-v9)", "IST0101"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestLabStatesDeclaredMessages(t *testing.T) {
	l, err := labs.LoadDir("testdata/labs-declared/route-demo")
	if err != nil {
		t.Fatal(err)
	}
	if p := l.Validate(); len(p) > 0 {
		t.Fatalf("test lab does not validate: %v", p)
	}
	res, err := LabStates(l, nil, bookinfo(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"baseline":          "",
		"step 1 (route-v1)": "",
		// IST0101 is declared: allowed.
		"step 2 (route-v9)": "",
		// IST0104 is declared but not reported.
		"step 3 (remove-route)": "istioMessages declares IST0104, but Istio does not report it here",
	}
	if len(res) != len(want) {
		t.Fatalf("got %d states, want %d: %+v", len(res), len(want), res)
	}
	for _, r := range res {
		got := strings.Join(r.Problems, "\n")
		w, ok := want[r.Name]
		switch {
		case !ok:
			t.Errorf("unexpected state %q", r.Name)
		case w == "" && got != "":
			t.Errorf("%s: want clean, got:\n%s", r.Name, got)
		case w != "" && !strings.Contains(got, w):
			t.Errorf("%s: want a problem containing %q, got:\n%s", r.Name, w, got)
		}
	}
}
