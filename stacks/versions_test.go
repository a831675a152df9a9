package stacks

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The lock is checked as a set, for every Istio release in it.
func TestVersionLockIsConsistent(t *testing.T) {
	v, err := LoadVersions()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(v.Istio.Releases), 3, "the lock holds several Istio minors")
	image, _, _ := strings.Cut(v.Kind.NodeImage, "@")
	nodeMinor := Minor(image[strings.LastIndex(image, ":")+1:])
	require.Regexp(t, `@sha256:[0-9a-f]{64}$`, v.Kind.NodeImage, "pin the node image by digest, as kind's release notes say")
	for name, pin := range v.Charts {
		require.Regexp(t, `^https://`, pin.Repo, "chart %s", name)
	}
	minors := map[string]bool{}
	for _, r := range v.Istio.Releases {
		t.Run(r.Version, func(t *testing.T) {
			require.Regexp(t, `^\d+\.\d+\.\d+$`, r.Version)
			require.False(t, minors[r.Minor()], "two releases of Istio %s: keep only the latest patch", r.Minor())
			minors[r.Minor()] = true
			rv, err := v.ForIstio(r.Minor())
			require.NoError(t, err)
			require.Equal(t, r.Version, rv.Istio.Version, "a minor resolves to its locked patch")
			require.Regexp(t, `^v\d+\.\d+\.\d+$`, rv.Istio.GatewayAPI)
			require.Contains(t, rv.GatewayAPIURL(), rv.Istio.GatewayAPI)
			require.NotEmpty(t, rv.Istio.Kubernetes)
			for i := 1; i < len(rv.Istio.Kubernetes); i++ {
				require.Equal(t, 1, compareVersions(rv.Istio.Kubernetes[i], rv.Istio.Kubernetes[i-1]), "Kubernetes minors ascending, no gaps: %v", rv.Istio.Kubernetes)
			}
			require.Contains(t, rv.Istio.Kubernetes, nodeMinor, "kind node image %s is outside Istio %s's Kubernetes range", v.Kind.NodeImage, r.Version)
			for _, name := range []string{"kiali-server", "prometheus", "grafana", "jaeger"} {
				_, ok := r.Charts[name]
				require.True(t, ok, "Istio %s pins no %s chart (its manifests/addons pin one)", r.Version, name)
			}
			for name := range r.Charts {
				_, ok := v.Charts[name]
				require.True(t, ok, "chart %s of Istio %s has no repository under charts:", name, r.Version)
			}
			for name, pin := range rv.Charts {
				require.Regexp(t, `^\d+\.\d+\.\d+$`, pin.Version, "chart %s for Istio %s", name, r.Version)
			}
		})
	}
	// The default is the newest release whose pins were all confirmed.
	var newestConfirmed string
	for _, r := range v.Releases() {
		if r.Unconfirmed == "" {
			newestConfirmed = r.Minor()
			break
		}
	}
	require.Equal(t, newestConfirmed, v.Istio.Default)
	require.Equal(t, newestConfirmed, Minor(v.Istio.Version))
}

func TestIstioReleaseSelection(t *testing.T) {
	v, err := LoadVersions()
	require.NoError(t, err)
	newest := v.Releases()[0]
	oldest := v.Releases()[len(v.Releases())-1]
	tests := []struct {
		in, want, err string
	}{
		{in: oldest.Minor(), want: oldest.Version},
		{in: newest.Minor(), want: newest.Version},
		{in: "v" + oldest.Version, want: oldest.Version},
		{in: oldest.Minor() + ".0", want: oldest.Minor() + ".0"},
		{in: "1.29", err: "is not supported by this labctl: use one of " + v.Supported()},
		{in: "1.29.4", err: "is not supported"},
		{in: oldest.Minor() + ".99", err: "is newer than " + oldest.Version},
		{in: oldest.Minor() + ".x", err: "is not an Istio version"},
		{in: "latest", err: "is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rv, err := v.ForIstio(tt.in)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, rv.Istio.Version)
		})
	}
	// Each release brings its own pins: the oldest and newest differ in Kiali here.
	o, err := v.ForIstio(oldest.Minor())
	require.NoError(t, err)
	require.Equal(t, oldest.Charts["kiali-server"], o.Charts["kiali-server"].Version)
	require.True(t, slices.Equal(oldest.Kubernetes, o.Istio.Kubernetes))
}

func TestParseVersionsRefusesBadLocks(t *testing.T) {
	tests := []struct{ name, src, err string }{
		{"no releases", "istio: {default: \"1.31\"}\n", "istio.releases is empty"},
		{"default not in lock", "istio:\n  default: \"1.40\"\n  releases: [{version: 1.31.4}]\n", "istio.default: Istio \"1.40\" is not supported"},
		{"unknown field", "istio:\n  version: 1.31.4\n", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseVersions([]byte(tt.src))
			require.ErrorContains(t, err, tt.err)
		})
	}
}

func TestStackPicksTheReleasePins(t *testing.T) {
	v, err := LoadVersions()
	require.NoError(t, err)
	oldest := v.Releases()[len(v.Releases())-1]
	s, err := Load("bookinfo", Options{IstioVersion: oldest.Minor()})
	require.NoError(t, err)
	require.Equal(t, oldest.Version, s.Spec.Mesh.Version)
	for _, a := range s.Spec.Addons {
		if want, ok := oldest.Charts[a.Chart]; ok {
			require.Equal(t, want, a.Version, "addon %s follows Istio %s's pin", a.Name, oldest.Version)
		}
	}
}
