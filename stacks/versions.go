package stacks

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

//go:embed versions.yaml
var versionsYAML []byte

// Versions is the version lock (versions.yaml) resolved for one Istio
// release. Istio.Releases holds every release of the lock; Istio.Version,
// Istio.GatewayAPI, Istio.Kubernetes and the Version of each chart in Charts
// are those of the selected release (the lock's default from LoadVersions,
// another one from ForIstio).
type Versions struct {
	Istio struct {
		// Default is the Istio minor installed without --istio-version.
		Default  string         `json:"default"`
		Repo     string         `json:"repo"`
		Hub      string         `json:"hub"`
		Releases []IstioRelease `json:"releases"`

		// The selected release (not in the file).
		Version    string   `json:"-"`
		GatewayAPI string   `json:"-"`
		Kubernetes []string `json:"-"`
	} `json:"istio"`
	GatewayAPI struct {
		URL string `json:"url"`
	} `json:"gatewayAPI"`
	Kind struct {
		NodeImage string `json:"nodeImage"`
	} `json:"kind"`
	Charts map[string]ChartPin `json:"charts"`
}

// IstioRelease is one Istio minor of the lock at its latest patch, with
// what that release pins: the Gateway API bundle, the addon charts of its
// manifests/addons, and the Kubernetes minors it supports.
type IstioRelease struct {
	Version    string            `json:"version"`
	GatewayAPI string            `json:"gatewayAPI"`
	Kubernetes []string          `json:"kubernetes"`
	Charts     map[string]string `json:"charts"`
	// Unconfirmed says which of the release's facts could not be checked
	// against upstream sources; empty when all were.
	Unconfirmed string `json:"unconfirmed,omitempty"`
}

// Minor is the release's minor version ("1.31").
func (r IstioRelease) Minor() string { return Minor(r.Version) }

// ChartPin is an addon chart's repository, and its version once resolved
// for an Istio release (or when the lock pins it for every release).
type ChartPin struct {
	Repo    string `json:"repo"`
	Version string `json:"version,omitempty"`
}

// LoadVersions parses the embedded version lock, resolved for its default
// Istio release.
func LoadVersions() (*Versions, error) {
	return ParseVersions(versionsYAML)
}

// ParseVersions parses a version lock document, resolved for its default
// Istio release.
func ParseVersions(src []byte) (*Versions, error) {
	var v Versions
	if err := yaml.UnmarshalStrict(src, &v); err != nil {
		return nil, fmt.Errorf("stacks/versions.yaml: %w", err)
	}
	if len(v.Istio.Releases) == 0 {
		return nil, fmt.Errorf("stacks/versions.yaml: istio.releases is empty: add at least one Istio release")
	}
	r, err := v.ForIstio(v.Istio.Default)
	if err != nil {
		return nil, fmt.Errorf("stacks/versions.yaml: istio.default: %w", err)
	}
	return r, nil
}

// Supported lists the lock's Istio releases as "1.32 (1.32.0), ...",
// newest first, for messages.
func (v *Versions) Supported() string {
	var out []string
	for _, r := range v.sortedReleases() {
		out = append(out, fmt.Sprintf("%s (%s)", r.Minor(), r.Version))
	}
	return strings.Join(out, ", ")
}

// Releases returns the lock's Istio releases, newest first.
func (v *Versions) Releases() []IstioRelease { return v.sortedReleases() }

func (v *Versions) sortedReleases() []IstioRelease {
	rs := slices.Clone(v.Istio.Releases)
	slices.SortFunc(rs, func(a, b IstioRelease) int { return compareVersions(b.Version, a.Version) })
	return rs
}

// Release finds the lock's release for version: a minor ("1.31") or an
// exact patch of a locked minor no newer than the locked patch ("1.31.2").
func (v *Versions) Release(version string) (IstioRelease, error) {
	want := strings.TrimPrefix(strings.TrimSpace(version), "v")
	for _, r := range v.Istio.Releases {
		if r.Minor() != Minor(want) {
			continue
		}
		if want == r.Minor() || want == r.Version {
			return r, nil
		}
		p, ok := patchOf(want)
		lp, _ := patchOf(r.Version)
		if !ok {
			return IstioRelease{}, fmt.Errorf("%q is not an Istio version: use a minor such as %s or a release such as %s (supported: %s)", version, r.Minor(), r.Version, v.Supported())
		}
		if p > lp {
			return IstioRelease{}, fmt.Errorf("Istio %s is newer than %s, the latest %s release in labctl's version lock: use %s or older (supported: %s)", want, r.Version, r.Minor(), r.Minor(), v.Supported())
		}
		return r, nil
	}
	return IstioRelease{}, fmt.Errorf("Istio %q is not supported by this labctl: use one of %s", version, v.Supported())
}

// ForIstio returns the lock resolved for an Istio version (see Release):
// an exact patch is kept, a minor becomes its locked patch.
func (v *Versions) ForIstio(version string) (*Versions, error) {
	r, err := v.Release(version)
	if err != nil {
		return nil, err
	}
	out := *v
	out.Istio.Version = r.Version
	if want := strings.TrimPrefix(strings.TrimSpace(version), "v"); want != r.Minor() {
		out.Istio.Version = want
	}
	out.Istio.GatewayAPI = r.GatewayAPI
	out.Istio.Kubernetes = slices.Clone(r.Kubernetes)
	out.Charts = make(map[string]ChartPin, len(v.Charts))
	for name, pin := range v.Charts {
		if ver, ok := r.Charts[name]; ok {
			pin.Version = ver
		}
		out.Charts[name] = pin
	}
	return &out, nil
}

// GatewayAPIURL is the URL of the Gateway API standard CRD bundle of the
// selected release.
func (v *Versions) GatewayAPIURL() string {
	return strings.ReplaceAll(v.GatewayAPI.URL, "{version}", v.Istio.GatewayAPI)
}

// Minor returns "1.30" for "1.30.3" (and for "v1.30.3").
func Minor(version string) string {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) < 2 {
		return version
	}
	return parts[0] + "." + parts[1]
}

// patchOf returns 3 for "1.30.3"; false for anything but X.Y.Z.
func patchOf(version string) (int, bool) {
	parts := strings.Split(version, ".")
	if len(parts) != 3 {
		return 0, false
	}
	for _, p := range parts[:2] {
		if _, err := strconv.Atoi(p); err != nil {
			return 0, false
		}
	}
	n, err := strconv.Atoi(parts[2])
	return n, err == nil && n >= 0
}

// compareVersions orders X.Y.Z versions numerically.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x - y
		}
	}
	return len(pa) - len(pb)
}
