package charts

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNamesAndLoad(t *testing.T) {
	want := []string{"bookinfo", "boutique", "fortio-client", "httpbin", "traffic", "travels"}
	assert.Equal(t, want, Names())
	for _, n := range want {
		c, err := Load(n)
		require.NoError(t, err, n)
		assert.Equal(t, n, c.Name())
		assert.Equal(t, "v2", c.Metadata.APIVersion)
		var helpers bool
		for _, tpl := range c.Templates {
			if tpl.Name == "templates/_helpers.tpl" {
				helpers = true
			}
		}
		if n != "traffic" {
			assert.True(t, helpers, "%s: templates/_helpers.tpl must be embedded (all: prefix)", n)
		}
	}
	_, err := Load("nope")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bookinfo")
}

// TestBadValues checks that wrong values fail with a message naming the value.
func TestBadValues(t *testing.T) {
	cases := []struct {
		name, chart, values, want string
	}{
		{"mesh mode", "bookinfo", `mesh: {mode: sidecars}`, `mesh.mode "sidecars"`},
		{"ingress mode", "bookinfo", `ingress: {enabled: true, mode: nginx}`, `ingress.mode "nginx"`},
		{"profile", "bookinfo", `resources: {profile: tiny}`, `resources.profile "tiny"`},
		{"waypoint without ambient", "bookinfo", `mesh: {waypoint: {enabled: true}}`, "needs mesh.mode=ambient"},
		{"reviews version", "bookinfo", `reviews: {versions: [v4]}`, `"v4" is not one of`},
		{"travels namespace", "travels", `namespaces: {agency: ""}`, "namespaces.agency must not be empty"},
		{"travels service", "travels", `agency: {services: [boats]}`, `"boats" is not one of`},
		{"boutique mesh", "boutique", `mesh: {mode: x}`, `mesh.mode "x"`},
		{"httpbin profile", "httpbin", `resources: {profile: huge}`, `resources.profile "huge"`},
		{"fortio mesh", "fortio-client", `mesh: {mode: x}`, `mesh.mode "x"`},
		{"bound gateway with a service type", "bookinfo", `ingress: {enabled: true, mode: gatewayapi, gateway: {existingService: a.b.svc.cluster.local, serviceType: NodePort}}`, "ingress.gateway.serviceType is for a gateway Istio deploys"},
		{"traffic no targets", "traffic", `targets: []`, "targets is empty"},
		{"traffic no url", "traffic", `targets: [{name: a}]`, "targets[0] (a) has no url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.chart)
			require.NoError(t, err)
			_, err = Render(c, tc.chart, "ns", parseValues(t, tc.values))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestTrafficDisabledRendersNothing(t *testing.T) {
	c, err := Load("traffic")
	require.NoError(t, err)
	out, err := Render(c, "traffic", "ns", map[string]any{"enabled": false})
	require.NoError(t, err)
	assert.Empty(t, out)
}
