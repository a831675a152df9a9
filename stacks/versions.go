package stacks

import (
	_ "embed"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

//go:embed versions.yaml
var versionsYAML []byte

// Versions is the version lock (versions.yaml).
type Versions struct {
	Istio struct {
		Version    string   `json:"version"`
		Repo       string   `json:"repo"`
		Hub        string   `json:"hub"`
		GatewayAPI string   `json:"gatewayAPI"`
		Kubernetes []string `json:"kubernetes"`
	} `json:"istio"`
	GatewayAPI struct {
		URL string `json:"url"`
	} `json:"gatewayAPI"`
	Kind struct {
		NodeImage string `json:"nodeImage"`
	} `json:"kind"`
	Charts map[string]ChartPin `json:"charts"`
}

// ChartPin pins one chart of an official repository.
type ChartPin struct {
	Repo    string `json:"repo"`
	Version string `json:"version"`
	// Istio lists the Istio minor versions the chart was tested with, when
	// that matters (Kiali).
	Istio []string `json:"istio,omitempty"`
}

// LoadVersions parses the embedded version lock.
func LoadVersions() (*Versions, error) {
	var v Versions
	if err := yaml.UnmarshalStrict(versionsYAML, &v); err != nil {
		return nil, fmt.Errorf("stacks/versions.yaml: %w", err)
	}
	return &v, nil
}

// GatewayAPIURL is the URL of the Gateway API standard CRD bundle.
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
