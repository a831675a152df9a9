package kwok

import "testing"

func TestIsFakeNode(t *testing.T) {
	tests := []struct {
		ann  map[string]string
		want bool
	}{
		{map[string]string{FakeNodeAnnotation: "fake"}, true},
		{map[string]string{FakeNodeAnnotation: "real"}, false},
		{map[string]string{"node.alpha.kubernetes.io/ttl": "0"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsFakeNode(tt.ann); got != tt.want {
			t.Errorf("IsFakeNode(%v) = %v, want %v", tt.ann, got, tt.want)
		}
	}
}
