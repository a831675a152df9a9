package verify

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// http and split checks resolve apps with the same rule as load and open.
func TestAppTargets(t *testing.T) {
	env := &Env{Ingress: "http://127.0.0.1:8080/", Apps: map[string]App{
		"bookinfo": {Host: "bookinfo.example", Path: "/productpage"},
		// The record holds an app's own URL with its path (stacks/provision):
		// before the one rule, checks appended the path a second time.
		"travels": {Host: "travels.example", Path: "/travels", URL: "http://127.0.0.1:9000/travels"},
	}}
	tests := []struct {
		target         Target
		wantURL, wantH string
	}{
		{Target{App: "bookinfo"}, "http://127.0.0.1:8080/productpage", "bookinfo.example"},
		{Target{App: "bookinfo", Path: "/api/v1/products", Host: "other"}, "http://127.0.0.1:8080/api/v1/products", "other"},
		{Target{App: "travels"}, "http://127.0.0.1:9000/travels", "travels.example"},
		{Target{App: "travels", Path: "/api"}, "http://127.0.0.1:9000/api", "travels.example"},
	}
	for _, tt := range tests {
		s, err := newSender(&tt.target, env)
		require.NoError(t, err)
		u, err := s.url(t.Context())
		require.NoError(t, err)
		assert.Equal(t, tt.wantURL, u)
		assert.Equal(t, tt.wantH, s.host)
	}

	_, err := newSender(&Target{App: "reviews"}, env)
	require.EqualError(t, err, `app "reviews" is not configured: the environment's apps are bookinfo, travels; check the app name`)
	assert.True(t, isPermanent(err), "a wrong app name is not retried")

	noRecord := &Env{Ingress: "http://127.0.0.1:8080"}
	s, err := newSender(&Target{App: "productpage", Path: "/productpage"}, noRecord)
	require.NoError(t, err, "without a record, --ingress-url serves any app name")
	u, _ := s.url(t.Context())
	assert.Equal(t, "http://127.0.0.1:8080/productpage", u)

	_, err = newSender(&Target{App: "bookinfo"}, &Env{Apps: env.Apps})
	require.ErrorContains(t, err, "the ingress URL is not configured: pass --ingress-url")
}
