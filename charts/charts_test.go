package charts

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v4/pkg/action"
	"sigs.k8s.io/yaml"

	"github.com/labctl/labctl/internal/golden"
)

// goldenCase renders one chart with some values and compares the result with
// testdata/<name>.golden.yaml.
type goldenCase struct {
	name      string
	chart     string
	namespace string
	values    string // YAML, merged over the chart's values.yaml
}

var goldenCases = []goldenCase{
	{"bookinfo-sidecar", "bookinfo", "bookinfo", `
ingress: {enabled: true}
`},
	{"bookinfo-ambient", "bookinfo", "bookinfo", `
mesh: {mode: ambient, waypoint: {enabled: true}}
ingress: {enabled: true}
`},
	{"bookinfo-gatewayapi", "bookinfo", "bookinfo", `
ingress: {enabled: true, mode: gatewayapi, host: bookinfo.example, gateway: {serviceType: NodePort}}
`},
	{"bookinfo-gatewayapi-bound", "bookinfo", "bookinfo", `
ingress: {enabled: true, mode: gatewayapi, gateway: {existingService: istio-ingress.istio-ingress.svc.cluster.local}}
`},
	{"bookinfo-slim-mirror", "bookinfo", "bookinfo", `
image: {registry: "localhost:5001/istio/"}
resources: {profile: slim}
perVersionServices: true
reviews: {versions: [v1, v3]}
replicas: 2
`},
	{"travels-sidecar", "travels", "travel-control", `
ingress: {enabled: true}
`},
	{"travels-ambient", "travels", "travel-control", `
mesh: {mode: ambient, enrollNamespaces: true}
namespaces: {create: true, labels: {lab: travels}}
`},
	{"travels-gatewayapi-labs", "travels", "travel-control", `
ingress: {enabled: true, mode: gatewayapi, gateway: {existingService: istio-ingress.istio-ingress.svc.cluster.local}}
agency: {travels: {versions: [v1, v2, v3]}, mysqldb: {versions: [v1, v2, v3]}}
loadtester: {enabled: true}
namespaces: {create: true}
`},
	{"boutique-sidecar", "boutique", "boutique", `
ingress: {enabled: true}
`},
	{"boutique-ambient", "boutique", "boutique", `
mesh: {mode: ambient}
resources: {profile: slim}
`},
	{"boutique-gatewayapi", "boutique", "boutique", `
ingress: {enabled: true, mode: gatewayapi, gateway: {existingService: istio-ingress.istio-ingress.svc.cluster.local}}
loadgenerator: {enabled: false}
`},
	{"httpbin-sidecar", "httpbin", "httpbin", ``},
	{"httpbin-gatewayapi", "httpbin", "httpbin", `
ingress: {enabled: true, mode: gatewayapi, gateway: {existingService: istio-ingress.istio-ingress.svc.cluster.local}}
`},
	{"fortio-client-sidecar", "fortio-client", "httpbin", ``},
	{"fortio-client-ambient", "fortio-client", "httpbin", `
mesh: {mode: ambient}
`},
	{"traffic-sidecar", "traffic", "labctl-traffic", ``},
	{"traffic-ambient", "traffic", "labctl-traffic", `
mesh: {mode: ambient}
rate: 5
targets:
  - {name: productpage, url: "http://productpage.bookinfo:9080/productpage"}
  - {name: ingress, url: "http://istio-ingress.istio-ingress/productpage", headers: {Host: bookinfo.example}}
`},
}

func parseValues(t *testing.T, s string) map[string]any {
	t.Helper()
	vals := map[string]any{}
	require.NoError(t, yaml.Unmarshal([]byte(s), &vals))
	return vals
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.chart)
			require.NoError(t, err)
			got, err := Render(c, tc.chart, tc.namespace, parseValues(t, tc.values))
			require.NoError(t, err)

			golden.AssertString(t, tc.name+".golden.yaml", got)
		})
	}
}

// TestLint runs Helm's own linter (strict: warnings fail) on every chart with
// its defaults and with each golden case's values.
func TestLint(t *testing.T) {
	type lintCase struct {
		name, chart, values string
	}
	var cases []lintCase
	for _, n := range Names() {
		cases = append(cases, lintCase{n + "-defaults", n, ""})
	}
	for _, g := range goldenCases {
		cases = append(cases, lintCase{g.name, g.chart, g.values})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := action.NewLint()
			l.Strict = true
			l.Namespace = "lint"
			res := l.Run([]string{tc.chart}, parseValues(t, tc.values))
			for _, m := range res.Messages {
				t.Logf("%s", m)
			}
			assert.Empty(t, res.Errors, "helm lint %s", tc.chart)
			assert.Equal(t, 1, res.TotalChartsLinted)
		})
	}
}

// TestRenderedObjects checks conventions on every object of every golden case:
// parseable, named, app label everywhere, app+version on workloads and pods.
func TestRenderedObjects(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.chart)
			require.NoError(t, err)
			out, err := Render(c, tc.chart, tc.namespace, parseValues(t, tc.values))
			require.NoError(t, err)
			docs := splitDocs(out)
			require.NotEmpty(t, docs)
			for _, doc := range docs {
				var obj struct {
					Kind     string `json:"kind"`
					Metadata struct {
						Name   string            `json:"name"`
						Labels map[string]string `json:"labels"`
					} `json:"metadata"`
					Spec struct {
						Template struct {
							Metadata struct {
								Labels map[string]string `json:"labels"`
							} `json:"metadata"`
						} `json:"template"`
					} `json:"spec"`
				}
				require.NoError(t, yaml.Unmarshal([]byte(doc), &obj), doc)
				require.NotEmpty(t, obj.Kind, doc)
				require.NotEmpty(t, obj.Metadata.Name, doc)
				if obj.Kind == "Namespace" {
					continue
				}
				assert.NotEmpty(t, obj.Metadata.Labels["app"], "%s/%s has no app label", obj.Kind, obj.Metadata.Name)
				if obj.Kind == "Deployment" {
					assert.NotEmpty(t, obj.Metadata.Labels["version"], "Deployment %s has no version label", obj.Metadata.Name)
					pod := obj.Spec.Template.Metadata.Labels
					assert.NotEmpty(t, pod["app"], "Deployment %s pods have no app label", obj.Metadata.Name)
					assert.NotEmpty(t, pod["version"], "Deployment %s pods have no version label", obj.Metadata.Name)
				}
			}
		})
	}
}

func splitDocs(out string) []string {
	var docs []string
	for _, d := range strings.Split(out, "---\n") {
		if strings.TrimSpace(d) != "" {
			docs = append(docs, d)
		}
	}
	return docs
}
