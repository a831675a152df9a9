package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	stackOnce sync.Once
	stackObjs *Stack
	stackErr  error
)

// bookinfo renders the bookinfo stack once for all tests.
func bookinfo(t *testing.T) *Stack {
	t.Helper()
	stackOnce.Do(func() { stackObjs, stackErr = LoadStack("bookinfo", "") })
	if stackErr != nil {
		t.Fatalf("LoadStack(bookinfo): %v", stackErr)
	}
	return stackObjs
}

func TestCheckState(t *testing.T) {
	cases := []struct {
		file string
		// want are substrings of the findings, one per expected finding
		// ("" for none): level, code and Istio's own message.
		want []string
	}{
		{file: "clean-route.yaml"},
		{file: "bad-regex.yaml", want: []string{
			"Error [validation] (VirtualService bookinfo/reviews, from testdata/bad-regex.yaml) \"uri\": error parsing regexp: missing closing )",
			"Error [IST0106] (VirtualService bookinfo/reviews",
		}},
		{file: "missing-subset.yaml", want: []string{
			`Error [IST0101] (VirtualService bookinfo/reviews, from testdata/missing-subset.yaml) Referenced host+subset in destinationrule not found: "reviews+v9"`,
		}},
		{file: "unknown-host.yaml", want: []string{`Error [IST0101] (VirtualService bookinfo/reviews, from testdata/unknown-host.yaml) Referenced host not found: "reviewz"`}},
		{file: "unknown-field.yaml", want: []string{`Error [validation] (VirtualService bookinfo/reviews, from testdata/unknown-field.yaml) cannot parse spec`}},
	}
	st := bookinfo(t)
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			p := filepath.Join("testdata", tc.file)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			objs, err := decode(p, data, "bookinfo")
			if err != nil {
				t.Fatal(err)
			}
			set := NewSet()
			set.Apply(st.Objects...)
			set.Apply(objs...)
			got, err := CheckState(set.Objects(), st)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, f := range got {
				lines = append(lines, f.String())
			}
			all := strings.Join(lines, "\n")
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tc.want), all)
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("no finding contains %q; got:\n%s", w, all)
				}
			}
		})
	}
}

// The stacks alone are clean: every finding a lab gets is the lab's.
func TestStacksAreClean(t *testing.T) {
	for _, name := range []string{"bookinfo", "bookinfo-ambient", "minimal"} {
		t.Run(name, func(t *testing.T) {
			st, err := LoadStack(name, "")
			if err != nil {
				t.Fatal(err)
			}
			if st.MeshConfig == "" || st.ProxyImage == "" {
				t.Fatalf("stack %s: no mesh config (%d bytes) or proxy image %q from the istiod chart", name, len(st.MeshConfig), st.ProxyImage)
			}
			got, err := CheckState(st.Objects, st)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range got {
				t.Errorf("stack %s alone: %s", name, f)
			}
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		want int
	}{
		{[]string{"testdata/clean-route.yaml"}, 0},
		{[]string{"testdata/missing-subset.yaml"}, 1},
		{[]string{"testdata/no-such-file.yaml"}, 2},
		{[]string{}, 2},
		{[]string{"-labs", "testdata/labs", "testdata/clean-route.yaml"}, 2},
	}
	for _, tc := range cases {
		var out, errb strings.Builder
		if got := run(tc.args, &out, &errb); got != tc.want {
			t.Errorf("run(%q) = %d, want %d\nstdout: %s\nstderr: %s", tc.args, got, tc.want, out.String(), errb.String())
		}
	}
}
