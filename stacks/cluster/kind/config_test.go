package kind

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	"sigs.k8s.io/yaml"

	"github.com/labctl/labctl/internal/golden"
	"github.com/labctl/labctl/stacks"
)

// testImage stands in for the version lock's node image in golden files.
const testImage = "kindest/node:v0.0.0-golden"

const testMirror = "http://kind-registry:5000"

// shapes are cluster sections with every worker count the built-in stacks
// use, independent of the stack loader.
var shapes = []struct {
	stack string
	spec  stacks.Cluster
}{
	{"one worker", stacks.Cluster{Workers: 1}},
	{"two workers", stacks.Cluster{Workers: 2}},
	{"no worker", stacks.Cluster{Workers: 0}},
}

// TestConfigGolden renders the kind config of every built-in stack, as the
// stack loader produces it, in both mesh modes, with and without a registry
// mirror. The mode does not change the kind config (ambient only needs the
// workers its stack asks for), so both modes share one golden file per stack
// and the test asserts they are equal. The node image is replaced by
// testImage so that bumping the version lock does not churn the goldens.
func TestConfigGolden(t *testing.T) {
	require.NotEmpty(t, stacks.BuiltinNames())
	for _, name := range stacks.BuiltinNames() {
		for _, mirror := range []string{"", testMirror} {
			goldenName := name
			var sets []string
			if mirror != "" {
				goldenName += "-mirror"
				sets = []string{"cluster.registryMirror=" + mirror}
			}
			t.Run(goldenName, func(t *testing.T) {
				var rendered []string
				for _, mode := range []string{stacks.ModeSidecar, stacks.ModeAmbient} {
					s, err := stacks.Load(name, stacks.Options{Mode: mode, Sets: sets})
					require.NoError(t, err, "loading stack %s in %s mode", name, mode)
					spec := s.Spec.Cluster
					require.NotEmpty(t, spec.NodeImage, "the version lock pins a node image")
					spec.NodeImage = testImage
					cfg := Config("labctl", spec, IngressFor(spec))
					b, err := yaml.Marshal(cfg)
					require.NoError(t, err)
					rendered = append(rendered, string(b))

					// The YAML is a valid kind config that reads back the same.
					var back v1alpha4.Cluster
					require.NoError(t, yaml.UnmarshalStrict(b, &back))
					assert.Equal(t, *cfg, back)
				}
				assert.Equal(t, rendered[0], rendered[1], "sidecar and ambient give the same kind config")
				golden.Assert(t, goldenName+".golden.yaml", []byte(rendered[0]))
			})
		}
	}
	t.Run("custom-ports", func(t *testing.T) {
		spec := stacks.Cluster{Workers: 1, NodeImage: testImage, Ports: stacks.Ports{HTTP: 9080, HTTPS: 9443}}
		b, err := yaml.Marshal(Config("lab2", spec, IngressFor(spec)))
		require.NoError(t, err)
		golden.Assert(t, "custom-ports.golden.yaml", b)
	})
}

func TestConfigShape(t *testing.T) {
	mappings := []v1alpha4.PortMapping{
		{ContainerPort: NodePortHTTP, HostPort: DefaultHTTPPort, ListenAddress: "127.0.0.1", Protocol: "TCP"},
		{ContainerPort: NodePortHTTPS, HostPort: DefaultHTTPSPort, ListenAddress: "127.0.0.1", Protocol: "TCP"},
	}
	for _, bc := range shapes {
		cfg := Config("labctl", bc.spec, IngressFor(bc.spec))
		require.Len(t, cfg.Nodes, 1+bc.spec.Workers, bc.stack)
		assert.Equal(t, v1alpha4.ControlPlaneRole, cfg.Nodes[0].Role)
		// The ingress node is the first worker, else the control plane: a
		// gateway pinned there needs no control-plane toleration.
		ingress := 0
		if bc.spec.Workers > 0 {
			ingress = 1
		}
		for i, n := range cfg.Nodes {
			if i > 0 {
				assert.Equal(t, v1alpha4.WorkerRole, n.Role)
			}
			if i == ingress {
				assert.Equal(t, map[string]string{IngressNodeLabel: "true"}, n.Labels, bc.stack)
				assert.Equal(t, mappings, n.ExtraPortMappings, bc.stack)
				continue
			}
			assert.Empty(t, n.Labels, bc.stack)
			assert.Empty(t, n.ExtraPortMappings, bc.stack)
		}
		assert.Empty(t, cfg.ContainerdConfigPatches)
		assert.Equal(t, cfg.Nodes[ingress].Labels, IngressFor(bc.spec).NodeSelector, "the gateway is pinned to the ingress node")
	}
}

func TestIngressFor(t *testing.T) {
	ing := IngressFor(stacks.Cluster{})
	assert.Equal(t, "NodePort", ing.ServiceType)
	assert.Equal(t, "127.0.0.1", ing.Host)
	assert.Equal(t, [4]int{8080, 8443, 30080, 30443}, [4]int{ing.HTTPPort, ing.HTTPSPort, ing.NodePortHTTP, ing.NodePortHTTPS})
	ing = IngressFor(stacks.Cluster{Ports: stacks.Ports{HTTP: 80, HTTPS: 443}})
	assert.Equal(t, [2]int{80, 443}, [2]int{ing.HTTPPort, ing.HTTPSPort})
	assert.Equal(t, "kind-labctl", ContextName("labctl"))
}

func TestHostsTOMLGolden(t *testing.T) {
	golden.Assert(t, "hosts-docker.io.golden.toml", []byte(HostsTOML("docker.io", testMirror)))
	golden.Assert(t, "hosts-quay.io.golden.toml", []byte(HostsTOML("quay.io", testMirror+"/")))
}

func TestMirrorProblem(t *testing.T) {
	tests := []struct {
		mirror  string
		problem string
		fatal   bool
	}{
		{"", "", false},
		{"http://kind-registry:5000", "", false},
		{"https://mirror.example.com", "", false},
		{"http://localhost:5001", `registry mirror "http://localhost:5001" points at localhost, which inside a kind node is the node itself: images will come from the registries directly`, false},
		{"http://127.0.0.1:5000", `registry mirror "http://127.0.0.1:5000" points at localhost`, false},
		{"kind-registry:5000", `registry mirror "kind-registry:5000" is not an http:// or https:// URL`, true},
	}
	for _, tc := range tests {
		problem, fatal := MirrorProblem(tc.mirror)
		if tc.problem == "" {
			assert.Empty(t, problem, tc.mirror)
		} else {
			assert.Contains(t, problem, tc.problem, tc.mirror)
		}
		assert.Equal(t, tc.fatal, fatal, tc.mirror)
	}
}
