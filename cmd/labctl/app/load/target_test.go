package load

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/state"
)

func TestAppTargetRule(t *testing.T) {
	env := &state.Environment{Name: "lab", IngressURL: "http://127.0.0.1:8080", Apps: []state.App{
		{Name: "bookinfo", Host: "bookinfo.example", Path: "/productpage"},
		{Name: "travels", Host: "travels.example", URL: "http://127.0.0.1:9000/travels"},
	}}
	tests := []struct {
		arg  string
		want target
	}{
		// Before the one rule, "" with several apps was refused; now it is
		// the stack's first app, as for `labctl open app`.
		{"", target{URL: "http://127.0.0.1:8080/productpage", Host: "bookinfo.example"}},
		{"bookinfo/api/v1/products", target{URL: "http://127.0.0.1:8080/api/v1/products", Host: "bookinfo.example"}},
		{"travels", target{URL: "http://127.0.0.1:9000/travels", Host: "travels.example"}},
		{"travels/api", target{URL: "http://127.0.0.1:9000/api", Host: "travels.example"}},
	}
	for _, tt := range tests {
		got, err := appTarget(env, tt.arg)
		require.NoError(t, err, tt.arg)
		assert.Equal(t, tt.want, got, tt.arg)
	}
	_, err := appTarget(&state.Environment{Name: "lab", Apps: []state.App{{Name: "bookinfo"}}}, "bookinfo")
	require.ErrorContains(t, err, `environment "lab": app "bookinfo": no URL: the app has none and the environment has no ingress URL; is it up (labctl status)?`)
}
