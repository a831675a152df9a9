package provision

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks/install"
)

// A revision is the istiod chart at the asked version with the
// environment's istiod values, its revision and its sorted tags, and
// without the default revision's setting; the environment's values are
// not changed.
func TestRevisionComponent(t *testing.T) {
	base := map[string]any{
		"global":          map[string]any{"hub": "docker.io/istio"},
		"meshConfig":      map[string]any{"accessLogFile": "/dev/stdout"},
		"defaultRevision": "default",
	}
	c := revisionComponent(base, "https://istio-release.storage.googleapis.com/charts", "1.32.0", "istio-system",
		Revision{Name: "canary", Tags: []string{"prod", "beta"}})
	assert.Equal(t, "istiod-canary", c.Release)
	assert.Equal(t, "istiod-canary", c.Name)
	assert.Equal(t, "istio-system", c.Namespace)
	assert.Equal(t, install.KindHelm, c.Kind)
	assert.Equal(t, install.ChartRef{Name: "istiod", Repo: "https://istio-release.storage.googleapis.com/charts", Version: "1.32.0"}, c.Chart)
	assert.Equal(t, map[string]any{
		"global":       map[string]any{"hub": "docker.io/istio"},
		"meshConfig":   map[string]any{"accessLogFile": "/dev/stdout"},
		"revision":     "canary",
		"revisionTags": []any{"beta", "prod"},
	}, c.Values)
	assert.Equal(t, "default", base["defaultRevision"], "the environment's values are left alone")
	assert.NotContains(t, base, "revision")

	empty := revisionComponent(nil, "r", "1.31.4", "istio-system", Revision{Name: "x"})
	assert.Equal(t, []any{}, empty.Values["revisionTags"], "no tags: the chart makes none")
}

func TestIstiodRelease(t *testing.T) {
	env := &state.Environment{Releases: []state.Release{
		{Component: "istio-base", Name: "istio-base", Namespace: "istio-system"},
		{Component: "istiod", Name: "istiod", Namespace: "mesh"},
	}}
	r, ok := istiodRelease(env)
	require.True(t, ok)
	assert.Equal(t, "mesh", r.Namespace)
	_, ok = istiodRelease(&state.Environment{})
	assert.False(t, ok)
}
