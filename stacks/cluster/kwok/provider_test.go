package kwok

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
	"github.com/labctl/labctl/stacks/preflight"
)

// fakeKwokctl plays kwokctl's part on disk: create writes the cluster
// directory with kwok.yaml and kubeconfig.yaml, delete removes it.
type fakeKwokctl struct {
	workdir string
	calls   [][]string
	envs    [][]string
	fail    map[string]error // by subcommand
}

func (f *fakeKwokctl) run(_ context.Context, _ string, env []string, args ...string) ([]byte, error) {
	f.calls = append(f.calls, args)
	f.envs = append(f.envs, env)
	if err := f.fail[args[0]]; err != nil {
		return []byte("line 1\nsomething broke\n"), err
	}
	name := args[3]
	dir := ClusterDir(f.workdir, name)
	switch args[0] {
	case "create":
		if err := os.MkdirAll(filepath.Join(dir, "pids"), 0o755); err != nil {
			return nil, err
		}
		// Like kwokctl, save the configuration given with --config, with
		// defaults filled in.
		cfg := []byte("kind: KwokctlConfiguration\napiVersion: config.kwok.x-k8s.io/v1alpha1\noptions:\n  bindAddress: 0.0.0.0\n")
		if i := slices.Index(args, "--config"); i > 0 {
			var err error
			if cfg, err = os.ReadFile(args[i+1]); err != nil {
				return nil, err
			}
		}
		cfg = append([]byte("kind: KwokConfiguration\napiVersion: config.kwok.x-k8s.io/v1alpha1\n---\n"), cfg...)
		if err := os.WriteFile(filepath.Join(dir, "kwok.yaml"), cfg, 0o644); err != nil {
			return nil, err
		}
		kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: %[1]s
  cluster:
    server: https://127.0.0.1:32766
    certificate-authority-data: Y2E=
users:
- name: %[1]s
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
contexts:
- name: %[1]s
  context: {cluster: %[1]s, user: %[1]s}
current-context: %[1]s
`, ClusterName(name))
		return []byte("Cluster is created"), os.WriteFile(filepath.Join(dir, kwokctlKubeconfig), []byte(kc), 0o600)
	case "delete":
		return nil, os.RemoveAll(dir)
	}
	return nil, nil
}

func newTestProvider(t *testing.T) (*Provider, *fakeKwokctl, string) {
	t.Helper()
	cache := t.TempDir()
	bin := TestenvBinDir(cache)
	require.NoError(t, os.MkdirAll(bin, 0o755))
	for _, c := range Components() {
		require.NoError(t, os.WriteFile(filepath.Join(bin, c.Name), []byte("#!/bin/sh\n"), 0o755))
	}
	for _, c := range Components() {
		t.Setenv(c.Env, "")
	}
	t.Setenv(IstiodEnv, "")
	p := New(Options{CacheDir: cache})
	fake := &fakeKwokctl{workdir: p.Workdir()}
	p.run = fake.run
	p.probe = func(context.Context) error { return errors.New("no network") }
	p.listNodes = func(context.Context, string, string, int) error { return nil }
	p.apiReady = func(context.Context, string) error { return nil }
	p.portLock = filepath.Join(t.TempDir(), "ports.lock")
	return p, fake, cache
}

func TestEnsureCreatesThenReuses(t *testing.T) {
	p, fake, cache := newTestProvider(t)
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	var nodesWanted int
	p.listNodes = func(_ context.Context, kubeconfig, kctx string, n int) error {
		nodesWanted = n
		assert.Equal(t, kc, kubeconfig)
		assert.Equal(t, "kwok-lab", kctx)
		return nil
	}
	req := cluster.Request{Name: "lab", Kubeconfig: kc, Spec: stacks.Cluster{Workers: 2, Ports: stacks.Ports{HTTP: 9080}}}

	cl, err := p.Ensure(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, &cluster.Cluster{Kubeconfig: kc, Context: "kwok-lab", Created: true, Owned: true, Simulated: true,
		Ingress: cluster.Ingress{ServiceType: "NodePort", Host: "127.0.0.1", HTTPPort: 9080, HTTPSPort: stacks.DefaultHTTPSPort,
			NodePortHTTP: NodePortHTTP, NodePortHTTPS: NodePortHTTPS}}, cl)
	assert.Equal(t, 3, nodesWanted)
	require.Len(t, fake.calls, 2)
	assert.Equal(t, "create", fake.calls[0][0])
	assert.Equal(t, scaleArgs("lab", 3), fake.calls[1])
	assert.Contains(t, fake.envs[0], "KWOK_WORKDIR="+filepath.Join(cache, "kwok"))

	got, err := clientcmd.LoadFromFile(kc)
	require.NoError(t, err)
	assert.Equal(t, "kwok-lab", got.CurrentContext)
	assert.Equal(t, "https://127.0.0.1:32766", got.Clusters["kwok-lab"].Server)
	assert.Equal(t, []byte("cert"), got.AuthInfos["kwok-lab"].ClientCertificateData)

	cl, err = p.Ensure(context.Background(), req)
	require.NoError(t, err)
	assert.False(t, cl.Created, "second Ensure reuses the cluster")
	assert.True(t, cl.Owned)
}

func TestEnsureErrors(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(p *Provider, f *fakeKwokctl)
		envName string
		wantErr []string
	}{{
		name:    "invalid name",
		envName: "Bad_Name",
		wantErr: []string{"not valid"},
	}, {
		name: "no kwokctl",
		setup: func(p *Provider, _ *fakeKwokctl) {
			p.finder.exists = func(string) bool { return false }
			p.finder.lookPath = noPath
		},
		wantErr: []string{"kwokctl not found", "make testenv", KwokctlEnv},
	}, {
		name:    "create fails",
		setup:   func(_ *Provider, f *fakeKwokctl) { f.fail = map[string]error{"create": errors.New("exit status 1")} },
		wantErr: []string{"starting simulated cluster kwok-lab: exit status 1", "something broke", "logs"},
	}, {
		name:    "scale fails",
		setup:   func(_ *Provider, f *fakeKwokctl) { f.fail = map[string]error{"scale": errors.New("exit status 2")} },
		wantErr: []string{"scaling simulated cluster kwok-lab to 1 nodes"},
	}, {
		name: "apiserver never ready",
		setup: func(p *Provider, f *fakeKwokctl) {
			p.apiReady = func(context.Context, string) error { return errors.New("kube-apiserver did not become ready") }
			f.fail = map[string]error{"scale": errors.New("scale must not run before the apiserver is ready")}
		},
		wantErr: []string{"kube-apiserver did not become ready"},
	}, {
		name: "nodes never ready",
		setup: func(p *Provider, _ *fakeKwokctl) {
			p.listNodes = func(context.Context, string, string, int) error { return errors.New("0 of 1 fake nodes") }
		},
		wantErr: []string{"0 of 1 fake nodes"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, fake, _ := newTestProvider(t)
			if tt.setup != nil {
				tt.setup(p, fake)
			}
			name := tt.envName
			if name == "" {
				name = "lab"
			}
			_, err := p.Ensure(context.Background(), cluster.Request{Name: name, Kubeconfig: filepath.Join(t.TempDir(), "kc")})
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func noPath(string) (string, error) { return "", errors.New("not on PATH") }

func TestDeleteRemovesClusterAndContext(t *testing.T) {
	p, fake, _ := newTestProvider(t)
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters:
- {name: other, cluster: {server: "https://10.0.0.1"}}
contexts:
- {name: other, context: {cluster: other}}
current-context: other
`), 0o600))
	_, err := p.Ensure(context.Background(), cluster.Request{Name: "lab", Kubeconfig: kc})
	require.NoError(t, err)
	dir := ClusterDir(p.Workdir(), "lab")
	require.DirExists(t, dir)

	env := &state.Environment{Name: "lab", Kubeconfig: kc}
	require.NoError(t, p.Delete(context.Background(), env))
	assert.NoDirExists(t, dir)
	assert.Equal(t, deleteArgs("lab", kc), fake.calls[len(fake.calls)-1])
	got, err := clientcmd.LoadFromFile(kc)
	require.NoError(t, err)
	assert.NotContains(t, got.Contexts, "kwok-lab")
	assert.NotContains(t, got.Clusters, "kwok-lab")
	assert.Contains(t, got.Contexts, "other", "other contexts are kept")
	assert.Equal(t, "", got.CurrentContext, "the deleted context is no longer current")

	calls := len(fake.calls)
	require.NoError(t, p.Delete(context.Background(), env), "deleting a missing cluster is not an error")
	assert.Len(t, fake.calls, calls, "kwokctl is not run for a missing cluster")
}

func TestDeleteReportsKwokctlFailure(t *testing.T) {
	p, fake, _ := newTestProvider(t)
	_, err := p.Ensure(context.Background(), cluster.Request{Name: "lab", Kubeconfig: filepath.Join(t.TempDir(), "kc")})
	require.NoError(t, err)
	fake.fail = map[string]error{"delete": errors.New("exit status 1")}
	err = p.Delete(context.Background(), &state.Environment{Name: "lab"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "deleting simulated cluster kwok-lab")
}

func TestPreflight(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port

	tests := []struct {
		name  string
		setup func(t *testing.T, p *Provider)
		want  []preflight.Finding // Check + Severity + substrings of Problem
		texts []string
	}{{
		name: "all binaries in the cache",
	}, {
		name: "missing binaries and no network",
		setup: func(t *testing.T, p *Provider) {
			require.NoError(t, os.Remove(filepath.Join(TestenvBinDir(p.opts.CacheDir), Etcd)))
		},
		want:  []preflight.Finding{{Check: CheckBinaries, Severity: preflight.Error}},
		texts: []string{"etcd (KWOK_ETCD_BINARY)", "unreachable", "make testenv"},
	}, {
		name: "missing binaries, kwokctl can download",
		setup: func(t *testing.T, p *Provider) {
			require.NoError(t, os.Remove(filepath.Join(TestenvBinDir(p.opts.CacheDir), KubeAPIServer)))
			p.probe = func(context.Context) error { return nil }
		},
		want:  []preflight.Finding{{Check: CheckBinaries, Severity: preflight.Warning}},
		texts: []string{"kube-apiserver (KWOK_KUBE_APISERVER_BINARY)", "will download"},
	}, {
		name: "variable points at nothing",
		setup: func(t *testing.T, p *Provider) {
			p.finder.getenv = func(k string) string {
				if k == "KWOK_KUBE_SCHEDULER_BINARY" {
					return "/nonexistent/kube-scheduler"
				}
				return ""
			}
		},
		want:  []preflight.Finding{{Check: CheckBinaries, Severity: preflight.Error}},
		texts: []string{"/nonexistent/kube-scheduler (from $KWOK_KUBE_SCHEDULER_BINARY) is not an executable file"},
	}, {
		name: "stopped cluster's port is taken",
		setup: func(t *testing.T, p *Provider) {
			dir := ClusterDir(p.Workdir(), "lab")
			require.NoError(t, os.MkdirAll(dir, 0o755))
			cfg := fmt.Sprintf("kind: KwokctlConfiguration\noptions:\n  kubeApiserverPort: %d\n---\nkind: KwokConfiguration\n", busyPort)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "kwok.yaml"), []byte(cfg), 0o644))
		},
		want:  []preflight.Finding{{Check: CheckPort, Severity: preflight.Error}},
		texts: []string{fmt.Sprintf("127.0.0.1:%d is taken", busyPort)},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, _ := newTestProvider(t)
			p.finder.lookPath = noPath
			if tt.setup != nil {
				tt.setup(t, p)
			}
			r := p.Preflight(context.Background(), cluster.Request{Name: "lab"})
			require.Len(t, r, len(tt.want), "%v", r)
			var all []string
			for i, w := range tt.want {
				assert.Equal(t, w.Check, r[i].Check)
				assert.Equal(t, w.Severity, r[i].Severity)
				assert.NotEmpty(t, r[i].Fix)
				all = append(all, r[i].Problem+" "+r[i].Fix)
			}
			for _, s := range tt.texts {
				assert.Contains(t, strings.Join(all, "\n"), s)
			}
		})
	}
}
