package state

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/appurl"
)

func TestAppTarget(t *testing.T) {
	env := &Environment{Name: "lab", IngressURL: "http://127.0.0.1:8080/", Apps: []App{
		{Name: "bookinfo", Host: "bookinfo.example", Path: "/productpage"},
		{Name: "httpbin", Path: "/get"},
	}}
	got, err := env.AppTarget("", "")
	require.NoError(t, err)
	assert.Equal(t, appurl.Target{URL: "http://127.0.0.1:8080/productpage", Host: "bookinfo.example"}, got)
	got, err = env.AppTarget("httpbin", "/status/418")
	require.NoError(t, err)
	assert.Equal(t, appurl.Target{URL: "http://127.0.0.1:8080/status/418"}, got)
	_, err = env.AppTarget("nope", "")
	assert.EqualError(t, err, `environment "lab": no app "nope" (apps: bookinfo, httpbin)`)

	env.IngressURL = ""
	_, err = env.AppTarget("httpbin", "")
	assert.True(t, errors.Is(err, appurl.ErrNoURL), err)

	a, err := env.PickApp("httpbin")
	require.NoError(t, err)
	assert.Equal(t, "/get", a.Path)
}
