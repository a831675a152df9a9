package labs

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// hostileLabs seed the fuzzers with what a hostile or broken lab.yaml
// tries: alias bombs, deep nesting, merge keys, duplicate keys, binary
// tags, NUL bytes, invalid UTF-8, several documents, huge scalars, paths
// out of the folder and include directives that point at themselves.
var hostileLabs = []string{
	"",
	"---\n---\n",
	"null",
	"[]",
	"apiVersion: labctl.dev/v1alpha1\nkind: Lab\n",
	"a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
	"spec: &s {steps: [{id: a, solution: [*s]}]}\n",
	strings.Repeat("[", 5000) + strings.Repeat("]", 5000),
	strings.Repeat("a:\n ", 2000) + "b",
	"metadata: {name: a, name: b}\n",
	"base: &b {stack: minimal}\nspec:\n  <<: *b\n  steps: []\n",
	"metadata: !!binary aGVsbG8=\n",
	"metadata: {name: \"\x00\"}\n",
	"metadata: {name: \xff\xfe}\n",
	"kind: Lab\n---\nkind: Lab\n",
	"spec:\n  steps:\n    - id: x\n      solution:\n        - apply: {file: ../../etc/passwd}\n        - apply: {file: /etc/passwd}\n        - delete: {file: \"manifests/../../x\"}\n",
	"spec:\n  steps:\n    - id: x\n      instructions: step.md\n      text: '{{< include \"step.md\" >}}'\n",
	"spec:\n  duration: 99999999999999999999h\n",
	"spec:\n  steps:\n    - scale: {replicas: 99999999999999999999}\n",
	"metadata:\n  name: " + strings.Repeat("x", 70000) + "\n",
	"{\"apiVersion\": \"labctl.dev/v1alpha1\", \"kind\": \"Lab\", \"spec\": {\"steps\": [{}]}}",
}

// FuzzDecode: decoding and validating any input never panics and every
// problem names its file. How fast hostile input is refused is
// BenchmarkDecodeHostile's to measure.
func FuzzDecode(f *testing.F) {
	for _, s := range hostileLabs {
		f.Add([]byte(s))
	}
	for _, name := range []string{"testdata/lint/good/lab.yaml", "testdata/lint/many/lab.yaml"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add(mustReadBuiltin(f, "samples/basics/lab.yaml"))
	f.Add(mustReadBuiltin(f, "samples/traffic/lab.yaml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			FileName:            {Data: data},
			"step.md":           {Data: []byte("# x\n{{< include \"manifests/vs.yaml\" >}}\n")},
			"manifests/vs.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")},
		}
		l, err := Load(fsys, "fuzz", "")
		if err != nil {
			ps, ok := err.(Problems)
			if !ok {
				t.Fatalf("Load returned %T, want Problems: %v", err, err)
			}
			for _, p := range ps {
				if !strings.HasPrefix(p.File, "fuzz") {
					t.Fatalf("problem without the lab's file: %+v", p)
				}
			}
		}
		if l != nil {
			for i := range l.Spec.Steps {
				_, _ = l.StepMarkdown(i)
				for _, a := range l.Spec.Steps[i].Solution {
					_, _ = l.Objects(a)
					_ = a.String()
				}
			}
		}
	})
}

// BenchmarkDecodeHostile times loading each hostile lab (goal: well under
// 2 s per input, the most a learner should wait to be told a lab.yaml is
// broken).
func BenchmarkDecodeHostile(b *testing.B) {
	for i, s := range hostileLabs {
		fsys := fstest.MapFS{FileName: {Data: []byte(s)}}
		b.Run(fmt.Sprintf("lab%02d", i), func(b *testing.B) {
			for b.Loop() {
				_, _ = Load(fsys, "bench", "")
			}
		})
	}
}

// FuzzParseObjects: any manifest either parses into objects with apiVersion
// and kind, or is refused, without panics.
func FuzzParseObjects(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
		"apiVersion: v1\nkind: List\nitems: []\n",
		"---\n---\napiVersion: v1\n",
		"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {1: 2, .inf: .nan}\n",
		"a: &a [*a]\n",
		"- 1\n- 2\n",
	} {
		f.Add([]byte(s))
	}
	for _, s := range hostileLabs {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := ParseObjects("m.yaml", data)
		if err != nil {
			return
		}
		for _, o := range objs {
			if o.GetAPIVersion() == "" || o.GetKind() == "" {
				t.Fatalf("object without apiVersion/kind accepted: %v", o.Object)
			}
			_ = o.DeepCopy() // unstructured panics on non-JSON types
		}
	})
}

func mustReadBuiltin(f *testing.F, name string) []byte {
	b, err := fs.ReadFile(Builtin(), name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
