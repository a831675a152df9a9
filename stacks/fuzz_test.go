package stacks

import (
	"strings"
	"testing"
)

// hostileStackSeeds are the inputs of issue 13 item 10: an alias bomb, a
// 60,000-key mapping, a file over the size cap and a second document.
func hostileStackSeeds() []string {
	return []string{
		stackAliasBomb(),
		stackWideMapping(60_000) + "}\n",
		hostileHead + strings.Repeat("#\n", (1<<20)/2+1),
		hostileHead + "  mesh: {mode: sidecar}\n---\n" + hostileHead,
		"a: &a [*a]\n",
		"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{",
		"\xff\xfe",
	}
}

// FuzzParseStack: any stack file is either refused with an error or yields a
// stack that passes validation; nothing panics or runs away.
func FuzzParseStack(f *testing.F) {
	for _, name := range BuiltinNames() {
		src, err := BuiltinSource(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, s := range hostileStackSeeds() {
		f.Add([]byte(s))
	}
	v, err := LoadVersions()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("fuzz.yaml", src, Options{})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if errs := s.Validate(v); len(errs) > 0 {
			t.Fatalf("Parse accepted a stack that does not validate: %v", errs)
		}
	})
}

// FuzzSet: any --set is applied or refused with an error naming it.
func FuzzSet(f *testing.F) {
	for _, s := range []string{
		"cluster.workers=2", "spec.cluster.ports.http=9080", "apps[bookinfo].values.replicas=2",
		"addons[0].version=2.24.0", "mesh.values.istiod.pilot.env.X=[1, 2]", "traffic.enabled=false",
		"apps[0][1]=x", "a[", "=", "x=", "spec.", "apps[].x=1", "mesh.values.a=" + strings.Repeat("[", 20000),
		"apps[httpbin].values.x=" + aliasBombValue(), "cluster.workers=99999999999999999999",
	} {
		f.Add(s)
	}
	base, err := BuiltinSource("minimal")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, set string) {
		_, err := Parse("builtin/minimal.yaml", base, Options{Sets: []string{set}})
		if err != nil && err.Error() == "" {
			t.Fatal("an error without a message")
		}
	})
}

func aliasBombValue() string {
	var b strings.Builder
	b.WriteString("{l0: &l0 [x,x,x,x,x,x,x,x,x,x]")
	for i := 1; i < 9; i++ {
		b.WriteString(", l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*l" + string(rune('0'+i-1)))
		}
		b.WriteString("]")
	}
	return b.String() + "}"
}

func TestSetValueIsBounded(t *testing.T) {
	base, err := BuiltinSource("minimal")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("builtin/minimal.yaml", base, Options{Sets: []string{"apps[httpbin].values.x=" + aliasBombValue()}})
	if err == nil || !strings.Contains(err.Error(), "aliases (*name) expand to too many values") {
		t.Fatalf("an alias bomb in a --set value must be refused, got %v", err)
	}
}
