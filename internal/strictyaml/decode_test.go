package strictyaml

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type dur struct{ time.Duration }

func (d *dur) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"30s\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: use units such as ms, s, m", s)
	}
	d.Duration = v
	return nil
}

type inner struct {
	Status []int `json:"status"`
}

type Common struct {
	App string `json:"app"`
}

type item struct {
	Name    string            `json:"name"`
	Timeout dur               `json:"timeout,omitempty"`
	Count   *int              `json:"count,omitempty"`
	Ratio   float64           `json:"ratio,omitempty"`
	On      bool              `json:"on,omitempty"`
	Expect  *inner            `json:"expect,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
	Values  map[string]any    `json:"values,omitempty"`
	Common
}

type doc struct {
	Kind  string `json:"kind"`
	Items []item `json:"items"`
}

func TestDecode(t *testing.T) {
	var d doc
	pos, err := Decode("f.yaml", []byte(`kind: K
base: &base {app: web, on: true}
items:
  - name: a
    timeout: 90s
    count: 3
    labels: {x: "y"}
    values: {replicas: 2, flag: no, nested: {k: [1, 2]}}
    <<: *base
  - name: b
    app: own
    <<: *base
`), &d, Options{})
	require.Error(t, err, "base is not a field of doc")
	assert.Equal(t, `f.yaml:2: unknown field "base" (known fields: items, kind)`, err.Error())

	pos, err = Decode("f.yaml", []byte(`kind: K
items:
  - &base {name: a, timeout: 90s, count: 3, labels: {x: "y"}, values: {replicas: 2, flag: no, nested: {k: [1, 2]}}, app: web, on: true}
  - <<: *base
    name: b
    app: own
`), &d, Options{})
	require.NoError(t, err)
	require.Len(t, d.Items, 2)
	a, b := d.Items[0], d.Items[1]
	assert.Equal(t, 90*time.Second, a.Timeout.Duration)
	assert.Equal(t, 3, *a.Count)
	assert.Equal(t, "web", a.App, "embedded struct fields are inlined")
	assert.Equal(t, "no", a.Values["flag"], "YAML 1.2: no is a string")
	assert.EqualValues(t, 2, a.Values["replicas"])
	assert.Equal(t, "b", b.Name, "own keys win over merged ones")
	assert.Equal(t, "own", b.App)
	assert.True(t, b.On, "merged keys fill the rest")
	assert.Equal(t, 3, pos.Line("items[0].count"))
	assert.Equal(t, 5, pos.Line("items[1].name"))
	assert.Equal(t, 4, pos.Line("items[1].nope.deeper"), "falls back to the closest parent")
}

func TestDecodeProblems(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"unknown field with suggestion", "kind: K\nitems:\n  - name: a\n    timout: 5s\n",
			[]string{`f.yaml:4: items[0]: unknown field "timout" (did you mean "timeout"?)`}},
		{"nested unknown field", "items:\n  - name: a\n    expect:\n      stauts: [200]\n",
			[]string{`f.yaml:4: items[0].expect: unknown field "stauts" (did you mean "status"?)`}},
		{"all problems at once", "kind: [x]\nitems:\n  - name: a\n    count: three\n    on: yes\n  - ratio: high\n",
			[]string{
				`f.yaml:1: kind: expected a string, got a list`,
				`f.yaml:4: items[0].count: expected a whole number, got "three"`,
				`f.yaml:5: items[0].on: expected true or false, got "yes"`,
				`f.yaml:6: items[1].ratio: expected a number, got "high"`,
			}},
		{"number where a string is expected", "kind: 1.30\n", []string{`f.yaml:1: kind: expected a string, got "1.30" (put it in quotes)`}},
		{"duration names line and field", "items:\n  - name: a\n    timeout: 5 minutes\n",
			[]string{`f.yaml:3: items[0].timeout: duration "5 minutes": use units such as ms, s, m (in "a")`}},
		{"duplicate key", "kind: K\nitems: []\nkind: L\n", []string{`f.yaml:3: key "kind" is repeated (first at line 1): keep one`}},
		{"duplicate key in free-form values", "items:\n  - values: {a: 1, b: 2, a: 3}\n", []string{`f.yaml:2: items[0].values: key "a" is repeated (first at line 2)`}},
		{"not a mapping", "- a\n", []string{"f.yaml:1: expected a mapping of fields, got a list"}},
		{"infinity", "items:\n  - ratio: .inf\n", []string{"f.yaml:2: items[0].ratio: .inf is not a finite number"}},
		{"bad yaml", "a: [", []string{"f.yaml:1: not valid YAML: did not find expected node content"}},
		{"empty", "\n# only a comment\n", []string{"f.yaml: the file is empty"}},
		{"two documents", "kind: K\n---\nkind: L\n", []string{"f.yaml:3: a second YAML document (after ---)"}},
		{"bad merge", "items:\n  - <<: 3\n", []string{"f.yaml:2: items[0]: a merge key (<<) needs a mapping"}},
		{"mapping as a key", "? [a]\n: 1\n", []string{"f.yaml:1: a key must be a plain word or number, got a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d doc
			_, err := Decode("f.yaml", []byte(tt.doc), &d, Options{})
			require.Error(t, err)
			ps := Problems("f.yaml", err)
			require.Len(t, ps, len(tt.want), err.Error())
			for i, w := range tt.want {
				assert.Contains(t, ps[i].Error(), w)
			}
		})
	}
}

func TestDecodeTrailingSeparatorIsOneDocument(t *testing.T) {
	var d doc
	_, err := Decode("f.yaml", []byte("---\nkind: K\n---\n"), &d, Options{})
	require.NoError(t, err)
	assert.Equal(t, "K", d.Kind)
}

func TestDecodeAll(t *testing.T) {
	src := []byte("kind: A\n---\nkind: B\n---\nkind: [C]\n")
	_, _, err := DecodeAll[doc]("f.yaml", src, Options{})
	require.ErrorContains(t, err, "a second YAML document")

	_, _, err = DecodeAll[doc]("f.yaml", src, Options{MultiDocument: true})
	require.EqualError(t, err, "f.yaml:5: kind: expected a string, got a list")

	docs, pos, err := DecodeAll[doc]("f.yaml", src[:len("kind: A\n---\nkind: B\n")], Options{MultiDocument: true})
	require.NoError(t, err)
	require.Len(t, docs, 2)
	assert.Equal(t, "B", docs[1].Kind)
	assert.Equal(t, 3, pos[1].Line("kind"))
}

// aliasBomb is the "billion laughs" document: each level lists the one
// before ten times, so nine levels expand to 10^9 values in a few hundred
// bytes.
func aliasBomb(typed bool) string {
	var b strings.Builder
	b.WriteString("values:\n  l0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "  l%d: &l%d [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	if typed {
		b.WriteString("items: [{name: x, values: {big: *l8}}, {name: y, values: {big: *l8}}]\n")
	}
	return b.String()
}

type bombDoc struct {
	Values map[string]any `json:"values"`
	Items  []item         `json:"items"`
}

func TestAliasBombIsRefused(t *testing.T) {
	for _, typed := range []bool{false, true} {
		var d bombDoc
		_, err := Decode("bomb.yaml", []byte(aliasBomb(typed)), &d, Options{})
		require.Error(t, err)
		ps := Problems("bomb.yaml", err)
		require.Len(t, ps, 1, "one problem, then the walk stops: %v", err)
		assert.Contains(t, ps[0].Error(), "aliases (*name) expand to too many values")
		assert.True(t, IsLimit(err))
	}
}

func TestAliasesWithinBudget(t *testing.T) {
	var d bombDoc
	src := "values:\n  base: &b {a: 1, b: [1, 2, 3]}\n  x: *b\n  y: *b\n"
	_, err := Decode("f.yaml", []byte(src), &d, Options{})
	require.NoError(t, err)
	assert.Equal(t, d.Values["base"], d.Values["y"])
	_, err = Decode("f.yaml", []byte(src), &d, Options{MaxAliasNodes: 8})
	require.ErrorContains(t, err, "f.yaml:4: values.y: aliases")
}

func wideMapping(n int, dupAt int) string {
	var b strings.Builder
	b.WriteString("values:\n")
	for i := range n {
		k := i
		if i == dupAt {
			k = 0
		}
		fmt.Fprintf(&b, "  k%d: %d\n", k, i)
	}
	return b.String()
}

func TestWideMapping(t *testing.T) {
	var d bombDoc
	_, err := Decode("wide.yaml", []byte(wideMapping(60_000, -1)), &d, Options{MaxBytes: 4 << 20})
	require.NoError(t, err)
	assert.Len(t, d.Values, 60_000)

	_, err = Decode("wide.yaml", []byte(wideMapping(60_000, 59_999)), &d, Options{MaxBytes: 4 << 20})
	require.EqualError(t, err, `wide.yaml:60001: values: key "k0" is repeated (first at line 2): keep one`)
}

func TestManyProblemsAreCapped(t *testing.T) {
	var b strings.Builder
	for i := range 60_000 {
		fmt.Fprintf(&b, "unknown%d: 1\n", i)
	}
	var d doc
	_, err := Decode("typos.yaml", []byte(b.String()), &d, Options{MaxBytes: 4 << 20})
	ps := Problems("typos.yaml", err)
	require.Len(t, ps, maxProblems+1)
	assert.Equal(t, "typos.yaml: 59900 more problems not listed: fix the ones above first", ps[maxProblems].Error())
}

func TestSizeCap(t *testing.T) {
	big := "kind: K\n" + strings.Repeat("# padding\n", 200_000)
	var d doc
	_, err := Decode("big.yaml", []byte(big), &d, Options{})
	require.EqualError(t, err, "big.yaml: the file is 1.9 MiB, over the 1.0 MiB limit: is it the right file?")
	assert.True(t, IsLimit(err))
	assert.False(t, IsLimit(Problem{Message: "not valid YAML"}))
	_, err = Decode("big.yaml", []byte(big), &d, Options{MaxBytes: 4 << 20})
	require.NoError(t, err)

	path := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(path, []byte(big), 0o600))
	_, err = ReadFile(path, 0)
	require.EqualError(t, err, path+": the file is larger than the 1.0 MiB limit: is it the right file?")
	var p Problem
	require.True(t, errors.As(err, &p))
	data, err := ReadFile(path, 4<<20)
	require.NoError(t, err)
	assert.Len(t, data, len(big))
	_, err = ReadFile(filepath.Join(t.TempDir(), "none"), 0)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestSuggest(t *testing.T) {
	assert.Equal(t, ` (did you mean "workers"?)`, Suggest("wrokers", []string{"workers", "name"}))
	assert.Equal(t, ` (known fields: a, b)`, Suggest("zzzzzz", []string{"b", "a"}))
	assert.Equal(t, []string{"app", "count", "expect", "labels", "name", "on", "ratio", "timeout", "values"}, slices.Sorted(maps.Keys(Fields(reflect.TypeFor[*item]()))))
	assert.Nil(t, Fields(reflect.TypeFor[string]()))
}

func TestProblemsOfPlainError(t *testing.T) {
	assert.Nil(t, Problems("f", nil))
	assert.Equal(t, []Problem{{File: "f", Message: "boom"}}, Problems("f", errors.New("boom")))
}

func BenchmarkDecodeWideMapping(b *testing.B) {
	src := []byte(wideMapping(60_000, -1))
	for b.Loop() {
		var d bombDoc
		if _, err := Decode("wide.yaml", src, &d, Options{MaxBytes: 4 << 20}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeAliasBomb(b *testing.B) {
	src := []byte(aliasBomb(true))
	for b.Loop() {
		var d bombDoc
		if _, err := Decode("bomb.yaml", src, &d, Options{}); err == nil {
			b.Fatal("bomb accepted")
		}
	}
}
