package existing

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/labctl/labctl/internal/progress/progresstest"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
)

// apiServer is a fake API server answering /version and /api/v1/nodes.
func apiServer(t *testing.T, nodes string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/version", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"major":"1","minor":"35","gitVersion":"v1.35.4"}`))
	})
	mux.HandleFunc("/api/v1/nodes", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"kind":"NodeList","apiVersion":"v1","items":[%s]}`, nodes)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func node(name, ip string) string {
	return fmt.Sprintf(`{"metadata":{"name":%q},"status":{"addresses":[{"type":"InternalIP","address":%q}]}}`, name, ip)
}

// blackhole accepts connections and never answers.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { close(done); l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	return "http://" + l.Addr().String()
}

// closedPort is an address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return "http://" + addr
}

type kcContext struct {
	name, server string
	// exec runs a credential plugin (client-go only uses credentials over
	// TLS); otherwise the user has a bearer token.
	exec []string
}

// kubeconfig writes a kubeconfig with one cluster and user per context.
func kubeconfig(t *testing.T, current string, ctxs ...kcContext) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Config\ncurrent-context: " + current + "\nclusters:\n")
	for _, c := range ctxs {
		fmt.Fprintf(&b, "- name: %s\n  cluster:\n    server: %s\n", c.name, c.server)
		if strings.HasPrefix(c.server, "https://") {
			b.WriteString("    insecure-skip-tls-verify: true\n")
		}
	}
	b.WriteString("users:\n")
	for _, c := range ctxs {
		fmt.Fprintf(&b, "- name: %s\n  user:\n", c.name)
		if c.exec != nil {
			fmt.Fprintf(&b, "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      interactiveMode: Never\n      command: %s\n      args: [%s]\n",
				c.exec[0], strings.Join(quoteAll(c.exec[1:]), ", "))
		} else {
			b.WriteString("    token: t0ken\n")
		}
	}
	b.WriteString("contexts:\n")
	for _, c := range ctxs {
		fmt.Fprintf(&b, "- name: %s\n  context:\n    cluster: %s\n    user: %s\n", c.name, c.name, c.name)
	}
	path := filepath.Join(t.TempDir(), "config")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func newTest(mode string) (*Provider, *progresstest.Recorder) {
	rec := progresstest.New(0)
	return New(Options{Log: rec, Mode: mode, ReachTimeout: 500 * time.Millisecond}), rec
}

func TestPreflight(t *testing.T) {
	up := apiServer(t, node("gke-pool-1", "10.0.0.5"))
	tlsUp := httptest.NewTLSServer(up.Config.Handler)
	t.Cleanup(tlsUp.Close)
	unauth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}`))
	}))
	t.Cleanup(unauth.Close)
	kc := kubeconfig(t, "gke",
		kcContext{name: "gke", server: up.URL},
		kcContext{name: "docker-desktop", server: up.URL},
		kcContext{name: "dead", server: blackhole(t)},
		kcContext{name: "stopped", server: closedPort(t)},
		kcContext{name: "expired", server: unauth.URL},
		kcContext{name: "hung-plugin", server: tlsUp.URL, exec: []string{"sh", "-c", "sleep 2"}},
	)
	tests := []struct {
		name, context, mode string
		want                []string // "check: problem substring", then fix substrings
	}{
		{name: "reachable", context: "gke"},
		{name: "current context", context: ""},
		{name: "missing context", context: "nope", want: []string{
			`context: kube context not found: context "nope" is not in the kubeconfig (known contexts: dead, docker-desktop, expired, gke, hung-plugin, stopped); pass an existing --context`,
			"kubectl config get-contexts"}},
		{name: "dead host", context: "dead", want: []string{
			`cluster: the cluster of context "dead" (` + strings.TrimPrefix(blackholeURL(kc, "dead"), "") + `) did not answer within 500ms`,
			"kubectl --context dead get --raw /version"}},
		{name: "stopped cluster", context: "stopped", want: []string{
			`cluster: the cluster of context "stopped"`, "refused the connection", "minikube start"}},
		{name: "expired credentials", context: "expired", want: []string{
			`cluster: the cluster of context "expired"`, "rejected the credentials", "gcloud container clusters get-credentials"}},
		{name: "hung credential plugin", context: "hung-plugin", want: []string{
			`cluster: the cluster of context "hung-plugin"`, "did not answer within 500ms"}},
		{name: "ambient on Docker Desktop", context: "docker-desktop", mode: stacks.ModeAmbient, want: []string{
			`mode: Istio ambient does not work on Docker Desktop's Kubernetes (context "docker-desktop"; istio#47436)`, "--provider kind"}},
		{name: "sidecar on Docker Desktop", context: "docker-desktop", mode: stacks.ModeSidecar},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTest(tc.mode)
			rep := p.Preflight(context.Background(), cluster.Request{Name: "labctl", Kubeconfig: kc, Context: tc.context})
			if tc.want == nil {
				assert.Empty(t, rep)
				return
			}
			require.Len(t, rep, 1, "%v", rep)
			got := rep[0].Check + ": " + rep[0].Problem + "\n" + rep[0].Fix
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
			assert.Error(t, rep.Err())
		})
	}
}

// blackholeURL reads back the server of a context (for the message).
func blackholeURL(kc, name string) string {
	b, _ := os.ReadFile(kc)
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if l == "- name: "+name && i+2 < len(lines) {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[i+2]), "server:"))
		}
	}
	return ""
}

func TestEnsure(t *testing.T) {
	gke := apiServer(t, node("gke-pool-1", "10.0.0.5"))
	mk := apiServer(t, node("minikube", "192.168.49.2"))
	foreign := apiServer(t, node("dev-control-plane", "172.18.0.2")+","+node("dev-worker", "172.18.0.3"))
	dd := apiServer(t, node("docker-desktop", "192.168.65.3"))
	kc := kubeconfig(t, "gke",
		kcContext{name: "gke", server: gke.URL},
		kcContext{name: "minikube", server: mk.URL},
		kcContext{name: "kind-dev", server: foreign.URL},
		kcContext{name: "dd", server: dd.URL},
	)
	tests := []struct {
		context string
		mode    string
		want    cluster.Ingress
		log     string
		err     string
	}{
		{context: "gke", want: cluster.Ingress{ServiceType: "LoadBalancer", HTTPPort: 80, HTTPSPort: 443},
			log: "the ingress gateway is a LoadBalancer Service"},
		{context: "minikube", want: cluster.Ingress{ServiceType: "NodePort", Host: "192.168.49.2", HTTPPort: 30080, HTTPSPort: 30443, NodePortHTTP: 30080, NodePortHTTPS: 30443},
			log: "minikube: the ingress gateway is a NodePort Service, reachable on http://192.168.49.2:30080"},
		{context: "kind-dev", want: cluster.Ingress{ServiceType: "NodePort", Host: "172.18.0.2", HTTPPort: 30080, HTTPSPort: 30443, NodePortHTTP: 30080, NodePortHTTPS: 30443},
			log: "a kind cluster labctl did not create"},
		{context: "dd", want: cluster.Ingress{ServiceType: "NodePort", Host: "127.0.0.1", HTTPPort: 30080, HTTPSPort: 30443, NodePortHTTP: 30080, NodePortHTTPS: 30443},
			log: "Docker Desktop's Kubernetes"},
		{context: "dd", mode: stacks.ModeAmbient, err: `Istio ambient does not work on Docker Desktop's Kubernetes (context "dd"; istio#47436): use a kind cluster for ambient`},
		{context: "nope", err: `context "nope" is not in the kubeconfig`},
	}
	for _, tc := range tests {
		t.Run(tc.context+"/"+tc.mode, func(t *testing.T) {
			p, log := newTest(tc.mode)
			c, err := p.Ensure(context.Background(), cluster.Request{Name: "labctl", Kubeconfig: kc, Context: tc.context, Status: log})
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, &cluster.Cluster{Kubeconfig: kc, Context: tc.context, Ingress: tc.want}, c)
			assert.False(t, c.Owned || c.Created, "an existing cluster is never owned")
			assert.Contains(t, log.String(), fmt.Sprintf("Using existing cluster: context %q (Kubernetes v1.35.4); labctl will not create or delete it", tc.context))
			assert.Contains(t, log.String(), tc.log)
		})
	}
}

func TestEnsureUnreachable(t *testing.T) {
	kc := kubeconfig(t, "dead", kcContext{name: "dead", server: blackhole(t)})
	p, _ := newTest("")
	_, err := p.Ensure(context.Background(), cluster.Request{Kubeconfig: kc})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `the cluster of context "dead"`)
	assert.Contains(t, err.Error(), "did not answer within 500ms; make sure the cluster is running")
}

func TestDeleteDoesNothing(t *testing.T) {
	p, _ := newTest("")
	require.NoError(t, p.Delete(context.Background(), &state.Environment{Name: "x", Provider: "existing", ClusterCreated: true}))
	assert.Equal(t, stacks.ProviderExisting, p.Name())
}

func TestDetectFlavor(t *testing.T) {
	tests := []struct {
		context, cluster, server string
		nodes                    []Node
		want                     Flavor
	}{
		{"gke_proj_zone_c", "gke_proj_zone_c", "https://34.1.2.3", nil, FlavorGeneric},
		{"arn:aws:eks:eu-west-1:1:cluster/x", "arn:aws:eks:eu-west-1:1:cluster/x", "https://X.gr7.eu-west-1.eks.amazonaws.com", []Node{{Name: "ip-10-0-0-1.ec2.internal"}}, FlavorGeneric},
		{"docker-desktop", "docker-desktop", "https://127.0.0.1:6443", nil, FlavorDockerDesktop},
		{"my-dd", "x", "https://kubernetes.docker.internal:6443", nil, FlavorDockerDesktop},
		{"renamed", "x", "https://127.0.0.1:6443", []Node{{Name: "desktop-control-plane"}}, FlavorDockerDesktop},
		{"minikube", "minikube", "https://192.168.49.2:8443", nil, FlavorMinikube},
		{"profile2", "profile2", "https://192.168.58.2:8443", []Node{{Name: "minikube"}, {Name: "minikube-m02"}}, FlavorMinikube},
		{"kind-dev", "kind-dev", "https://127.0.0.1:40000", nil, FlavorKind},
		{"dev", "dev", "https://127.0.0.1:40000", []Node{{Name: "dev-control-plane"}}, FlavorKind},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, DetectFlavor(tc.context, tc.cluster, tc.server, tc.nodes), tc.context)
	}
}

func TestSimulated(t *testing.T) {
	require.False(t, Simulated(nil), "no nodes: nothing says it is simulated")
	require.True(t, Simulated([]Node{{Name: "a", Fake: true}, {Name: "b", Fake: true}}))
	require.False(t, Simulated([]Node{{Name: "a", Fake: true}, {Name: "b"}}), "one real node carries a data plane")
}
