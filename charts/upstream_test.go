package charts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// upstreamApp is one demo app, compared with the upstream release manifest
// it is modelled on (testdata/upstream, sources in SOURCES.yaml).
type upstreamApp struct {
	chart     string
	namespace string // the release namespace labctl installs the app into
	values    string // the values labctl sets (stacks/install appValues)
	// upstream files and the namespace each is applied to.
	files map[string]string
	// Differences we intend, each with its reason. Any other difference
	// fails the test, and so does a declaration that matches nothing.
	declared []declared
	// sameContainer maps our container names to upstream's where only the
	// name differs, so their contents are still compared.
	sameContainer map[string]map[string]string
}

func TestChartsMatchUpstream(t *testing.T) {
	commonUsed := make([]bool, len(commonDeclared))
	defer func() {
		for i, dec := range commonDeclared {
			if !commonUsed[i] && !t.Failed() {
				t.Errorf("declared difference %q (%s) matches nothing in any chart: remove it", dec.Key, dec.Reason)
			}
		}
	}()
	for _, app := range upstreamApps {
		t.Run(app.chart, func(t *testing.T) {
			c, err := Load(app.chart)
			require.NoError(t, err)
			rendered, err := Render(c, app.chart, app.namespace, parseValues(t, app.values))
			require.NoError(t, err)
			objs, err := decodeObjects(rendered)
			require.NoError(t, err)
			ours := facets(objs, app.namespace)
			for k, v := range ours {
				for obj, names := range app.sameContainer {
					for from, to := range names {
						if strings.HasPrefix(k, obj+" containers["+from+"]") {
							delete(ours, k)
							ours[strings.Replace(k, "containers["+from+"]", "containers["+to+"]", 1)] = v
						}
					}
				}
			}

			upstream := map[string]string{}
			for file, ns := range app.files {
				b, err := os.ReadFile(filepath.Join("testdata", "upstream", file))
				require.NoError(t, err)
				objs, err := decodeObjects(string(b))
				require.NoError(t, err, file)
				for k, v := range facets(objs, ns) {
					upstream[k] = v
				}
			}
			require.NotEmpty(t, upstream)

			used := make([]bool, len(app.declared))
			var unexplained []string
			for _, d := range diffFacets(upstream, ours) {
				ok := false
				for i, dec := range app.declared {
					if dec.matches(d) {
						used[i], ok = true, true
						break
					}
				}
				for i, dec := range commonDeclared {
					if !ok && dec.matches(d) {
						commonUsed[i], ok = true, true
					}
				}
				if !ok {
					unexplained = append(unexplained, d.String())
				}
			}
			for i, dec := range app.declared {
				if !used[i] {
					t.Errorf("declared difference %q (%s) matches nothing: remove it", dec.Key, dec.Reason)
				}
			}
			if len(unexplained) > 0 {
				t.Errorf("%s differs from upstream in %d ways nobody declared (fix the chart, or declare the difference with its reason in upstream_test.go):\n%s",
					app.chart, len(unexplained), strings.Join(unexplained, "\n"))
			}
		})
	}
}

// Differences every chart has on purpose.
var commonDeclared = []declared{
	{"* labels.app.kubernetes.io/*", "Helm's recommended labels on every object; on workloads app.kubernetes.io/version equals the version label, because Istio takes the canonical revision from it first"},
	{"* labels.helm.sh/chart", "Helm's recommended labels on every object"},
	{"* pod.labels.app.kubernetes.io/*", "the same labels on pods (app.kubernetes.io/version = version, see above)"},
	{"* pod.labels.helm.sh/chart", "Helm's recommended labels on pods"},
	{"* labels.app", "every object carries app, so labs, status and down select an app's objects by one label"},
	{"Deployment/* labels.version", "workloads carry their version label, as their pods do"},
	{"Deployment/* containers[*].ports[*].name", "named container ports (http, grpc, tcp-redis): Istio's protocol selection and the labs' port-forwards use names"},
}

var upstreamApps = []upstreamApp{
	{
		chart: "bookinfo", namespace: "bookinfo", values: "mesh: {mode: sidecar}\n",
		files: map[string]string{"bookinfo.yaml": "bookinfo"},
		declared: []declared{
			{"Deployment/* containers[*].image.registry", "Docker Hub (docker.io/istio) by default: registry.istio.io is being retired at the end of 2026 (image.registry overrides it)"},
			{"Deployment/bookinfo/*-v1 volumes.tmp", "details and ratings get a writable /tmp: every container runs with a read-only root filesystem"},
			{"Deployment/bookinfo/*-v1 containers[*].volumeMounts.tmp", "the /tmp mount of that volume"},
		},
	},
	{
		chart: "httpbin", namespace: "httpbin", values: "mesh: {mode: sidecar}\n",
		files: map[string]string{"httpbin.yaml": "httpbin"},
		declared: []declared{
			{"Deployment/httpbin/httpbin containers[httpbin].readinessProbe", "labctl up waits for Ready: the probe makes Ready mean httpbin answers"},
		},
	},
	{
		chart: "fortio-client", namespace: "httpbin", values: "mesh: {mode: sidecar}\n",
		files: map[string]string{"fortio-client.yaml": "httpbin"},
		declared: []declared{
			{"Deployment/httpbin/fortio-deploy containers[fortio].image.tag", "a pinned release (1.75.3) instead of latest_release, so labs behave the same on every run"},
			{"Deployment/httpbin/fortio-deploy containers[fortio].args", "`server` spelt out: labs exec `fortio load` into a pod that must stay up"},
			{"Deployment/httpbin/fortio-deploy *.version", "fortio's pods carry version=v1 like every labctl workload (Kiali's versioned graph)"},
			{"Deployment/httpbin/fortio-deploy serviceAccountName", "its own ServiceAccount, so authorization labs can name fortio's identity"},
			{"ServiceAccount/httpbin/fortio *", "that ServiceAccount"},
		},
	},
	{
		chart: "boutique", namespace: "boutique", values: "mesh: {mode: sidecar}\n",
		files: map[string]string{"boutique.yaml": "boutique"},
		declared: []declared{
			{"Deployment/* pod.labels.version", "pods carry version (the image tag) for Kiali's versioned graph"},
			{"Service/boutique/frontend-external *", "frontend-external (a LoadBalancer) is off by default: it stays <pending> on kind, and labs go through the Istio ingress (frontend.external=true restores it)"},
			{"Deployment/boutique/loadgenerator initContainers[frontend-check]*", "no init container waiting for the frontend: in sidecar mode it runs before the proxy exists and cannot reach the frontend; the load generator retries by itself"},
		},
	},
	{
		chart: "travels", namespace: "travel-control", values: "mesh: {mode: sidecar}\n",
		files: map[string]string{"travels/travel_agency.yaml": "travel-agency", "travels/travel_portal.yaml": "travel-portal", "travels/travel_control.yaml": "travel-control"},
		// Upstream names every portal's container "control"; ours are named
		// after their portal (what `kubectl logs -c` in the labs uses).
		sameContainer: map[string]map[string]string{
			"Deployment/travel-portal/viaggi":  {"viaggi": "control"},
			"Deployment/travel-portal/travels": {"travels": "control"},
		},
		declared: []declared{
			{"Deployment/* pod.annotations.proxy.istio.io/config", "no per-pod tracing config pointing at zipkin.istio-system: labctl configures tracing mesh-wide for the stack's own backend (istiod values)"},
		},
	},
}
