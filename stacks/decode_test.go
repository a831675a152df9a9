package stacks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileHead is a valid stack up to the point where hostile content starts.
const hostileHead = "apiVersion: labctl.dev/v1alpha1\nkind: Stack\nmetadata:\n  name: mine\nspec:\n"

// stackAliasBomb fans aliases out through typed fields (every app holds the
// 10^8-value list), the input that took 15-44 s and ~1 GB before.
func stackAliasBomb() string {
	var b strings.Builder
	b.WriteString(hostileHead + "  mesh:\n    values:\n      l0: {a: &l0 [x,x,x,x,x,x,x,x,x,x]}\n")
	for i := 1; i < 8; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), 10), ",")
		fmt.Fprintf(&b, "      l%d: {a: &l%d [%s]}\n", i, i, refs)
	}
	b.WriteString("  apps:\n")
	for i := range 20 {
		fmt.Fprintf(&b, "  - {name: bookinfo%d, values: {v: *l7}}\n", i)
	}
	return b.String()
}

func stackWideMapping(keys int) string {
	var b strings.Builder
	b.WriteString(hostileHead + "  mesh:\n    values:\n      istiod: {")
	for i := range keys {
		fmt.Fprintf(&b, "k%d: 1, ", i)
	}
	return b.String()
}

func TestHostileStackFiles(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"alias bomb", stackAliasBomb(), "aliases (*name) expand to too many values"},
		{"60,000 keys with a duplicate", stackWideMapping(60_000) + "k7: 2}\n", `mine.yaml:8: spec.mesh.values.istiod: key "k7" is repeated (first at line 8)`},
		{"two documents", hostileHead + "  mesh: {mode: sidecar}\n---\n" + hostileHead, "mine.yaml:8: a second YAML document"},
		{"huge", hostileHead + strings.Repeat("#\n", 1<<20), "mine.yaml: the file is 2.0 MiB, over the 1.0 MiB limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("mine.yaml", []byte(tt.src), Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestWideStackMappingDecodes(t *testing.T) {
	s, err := Parse("mine.yaml", []byte(stackWideMapping(60_000)+"}\n"), Options{})
	require.NoError(t, err)
	assert.Len(t, s.Spec.Mesh.Values["istiod"], 60_000)
}

func TestLoadFileRefusesHugeFileUnread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(path, make([]byte, 50<<20), 0o600))
	_, err := LoadFile(path, Options{})
	require.EqualError(t, err, "reading stack file: "+path+": the file is larger than the 1.0 MiB limit: is it the right file?")
}
