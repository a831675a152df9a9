package appurl

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolve(t *testing.T) {
	bookinfo := App{Name: "bookinfo", Host: "bookinfo.example", Path: "/productpage"}
	own := App{Name: "travels", Host: "travels.example", Path: "/", URL: "http://127.0.0.1:9000/travels"}
	tests := []struct {
		name, ingress string
		app           App
		path          string
		want          Target
	}{
		{"ingress plus the app's path", "http://127.0.0.1:8080/", bookinfo, "", Target{URL: "http://127.0.0.1:8080/productpage", Host: "bookinfo.example"}},
		{"a path replaces the app's", "http://127.0.0.1:8080", bookinfo, "api/v1/products", Target{URL: "http://127.0.0.1:8080/api/v1/products", Host: "bookinfo.example"}},
		{"no path at all is the root", "http://127.0.0.1:8080", App{Name: "x"}, "", Target{URL: "http://127.0.0.1:8080/"}},
		{"the app's own URL as recorded", "http://127.0.0.1:8080", own, "", Target{URL: "http://127.0.0.1:9000/travels", Host: "travels.example"}},
		{"a path replaces the own URL's path", "", own, "/api", Target{URL: "http://127.0.0.1:9000/api", Host: "travels.example"}},
		{"query strings stay", "http://h", bookinfo, "/x?a=1", Target{URL: "http://h/x?a=1", Host: "bookinfo.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.ingress, tt.app, tt.path)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := Resolve("", bookinfo, "")
	require.True(t, errors.Is(err, ErrNoURL))
	assert.EqualError(t, err, `app "bookinfo": no URL: the app has none and the environment has no ingress URL`)
}

func TestPick(t *testing.T) {
	apps := []App{{Name: "bookinfo"}, {Name: "travels"}}
	a, err := Pick(apps, "")
	require.NoError(t, err)
	assert.Equal(t, "bookinfo", a.Name, "the first app is the default")
	a, err = Pick(apps, "travels")
	require.NoError(t, err)
	assert.Equal(t, "travels", a.Name)
	_, err = Pick(apps, "nope")
	assert.EqualError(t, err, `no app "nope" (apps: bookinfo, travels)`)
	_, err = Pick(nil, "nope")
	assert.EqualError(t, err, `no app "nope": the environment has no apps`)
	_, err = Pick(nil, "")
	assert.EqualError(t, err, "the environment has no apps")
}

func TestInCluster(t *testing.T) {
	httpbin := App{Name: "httpbin", Host: "httpbin.example", Path: "/get", URL: "http://127.0.0.1:9000/get"}
	svc := Service{Name: "httpbin", Namespace: "httpbin", Port: 8000}
	tests := []struct {
		name string
		path string
		want string
	}{
		{"the app's path", "", "http://httpbin.httpbin.svc.cluster.local:8000/get"},
		{"a path replaces it", "status/418", "http://httpbin.httpbin.svc.cluster.local:8000/status/418"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InCluster(svc, httpbin, tt.path)
			require.NoError(t, err)
			assert.Equal(t, Target{URL: tt.want}, got, "no Host header and never the app's own host URL")
		})
	}
	_, err := InCluster(Service{Name: "httpbin", Namespace: "httpbin"}, httpbin, "")
	assert.EqualError(t, err, `app "httpbin": in-cluster requests need a Service name, namespace and port (have httpbin/httpbin port 0)`)
}
