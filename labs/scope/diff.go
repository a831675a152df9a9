package scope

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Change operations.
const (
	Created = "created"
	Deleted = "deleted"
	Changed = "changed"
)

// Change is one difference between two snapshots.
type Change struct {
	Op  string `json:"op"`
	Key Key    `json:"object"`
	// Fields are the paths that differ, for changed objects (at most
	// maxFields, the rest counted in the last entry).
	Fields []string `json:"fields,omitempty"`
}

func (c Change) String() string {
	s := c.Op + " " + c.Key.String()
	if len(c.Fields) > 0 {
		s += " (" + strings.Join(c.Fields, ", ") + ")"
	}
	return s
}

const maxFields = 8

// Diff compares before with after, in key order.
func Diff(before, after *Snapshot) []Change {
	b, a := before.Index(), after.Index()
	var out []Change
	for k, o := range b {
		n, ok := a[k]
		if !ok {
			out = append(out, Change{Op: Deleted, Key: k})
			continue
		}
		if f := Fields(o.Content, n.Content); len(f) > 0 {
			out = append(out, Change{Op: Changed, Key: k, Fields: f})
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, Change{Op: Created, Key: k})
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i].Key, out[j].Key) })
	return out
}

// Fields returns the dotted paths at which a and b differ.
func Fields(a, b map[string]any) []string {
	var out []string
	walk("", a, b, &out)
	sort.Strings(out)
	if len(out) > maxFields {
		out = append(out[:maxFields], fmt.Sprintf("%d more", len(out)-maxFields))
	}
	return out
}

// Equal reports whether two object contents are the same (numbers compare
// by value: a snapshot read back from JSON has float64 where the API
// client has int64).
func Equal(a, b map[string]any) bool {
	var out []string
	walk("", a, b, &out)
	return len(out) == 0
}

func walk(path string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		if !sameValue(a, b) {
			*out = append(*out, strings.TrimPrefix(path, "."))
		}
		return
	}
	keys := map[string]bool{}
	for k := range am {
		keys[k] = true
	}
	for k := range bm {
		keys[k] = true
	}
	for k := range keys {
		walk(path+"."+k, am[k], bm[k], out)
	}
}

func sameValue(a, b any) bool {
	if x, ok := number(a); ok {
		y, ok := number(b)
		return ok && x == y
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok {
		if len(al) != len(bl) {
			return false
		}
		for i := range al {
			var out []string
			walk("", al[i], bl[i], &out)
			if len(out) > 0 {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}
