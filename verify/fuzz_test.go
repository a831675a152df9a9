package verify

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

const fuzzHead = "apiVersion: labctl.dev/v1alpha1\nkind: CheckSet\nmetadata: {name: x}\n"

// hostileCheckSetSeeds are the inputs of issue 13 item 10 in check-set form.
func hostileCheckSetSeeds() []string {
	var bomb strings.Builder
	bomb.WriteString(fuzzHead + "x0: &l0 [a,a,a,a,a,a,a,a,a,a]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&bomb, "x%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), 10), ","))
	}
	bomb.WriteString("checks: [{name: a, exec: {namespace: n, pod: p, command: *l8}}]\n")
	var wide strings.Builder
	wide.WriteString(fuzzHead + "checks:\n  - name: a\n    resource:\n      apiVersion: v1\n      kind: ConfigMap\n      name: c\n      match: {")
	for i := range 60_000 {
		fmt.Fprintf(&wide, "k%d: 1, ", i)
	}
	wide.WriteString("}\n")
	return []string{
		bomb.String(),
		wide.String(),
		fuzzHead + "checks: []\n" + strings.Repeat("#\n", (1<<20)/2+1),
		fuzzHead + "checks: [{name: a, pods: {namespace: x}}]\n---\n" + fuzzHead,
		fuzzHead + "checks: [{name: a, interval: 1ns, successes: 1000000000, pods: {namespace: x}}]\n",
		fuzzHead + "checks: [{name: a, http: {url: \"ftp://x/\"}}]\n",
	}
}

// FuzzParseCheckSet: any check set is refused with an error or yields
// checks that validate; nothing panics or runs away.
func FuzzParseCheckSet(f *testing.F) {
	if b, err := os.ReadFile("testdata/bookinfo-checks.yaml"); err == nil {
		f.Add(b)
	}
	for _, s := range hostileCheckSetSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		cs, err := ParseCheckSet("fuzz.yaml", src)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if err := ValidateSpecs(cs.Checks); err != nil {
			t.Fatalf("ParseCheckSet accepted checks that do not validate: %v", err)
		}
	})
}
