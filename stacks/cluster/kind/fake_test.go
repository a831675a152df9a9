package kind

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/labctl/labctl/internal/progress/progresstest"
)

// fakeBackend is an in-memory kind.
type fakeBackend struct {
	mu       sync.Mutex
	clusters map[string][]*fakeNode
	calls    []string
	created  []createRequest

	listErr, createErr, deleteErr, collectErr, exportErr error
	// failBeforeNodes makes a failing Create leave no nodes (an image
	// pull failure).
	failBeforeNodes bool
	// createGate, when set, makes Create wait until it is closed.
	createGate    chan struct{}
	createStarted chan struct{}
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{clusters: map[string][]*fakeNode{}}
}

func (f *fakeBackend) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *fakeBackend) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// addCluster adds a cluster with one control plane and n workers.
func (f *fakeBackend) addCluster(name string, workers int) []*fakeNode {
	f.mu.Lock()
	defer f.mu.Unlock()
	ns := []*fakeNode{{name: name + "-control-plane", role: "control-plane", files: map[string]string{}}}
	for i := range workers {
		suffix := ""
		if i > 0 {
			suffix = fmt.Sprint(i + 1)
		}
		ns = append(ns, &fakeNode{name: name + "-worker" + suffix, role: "worker", files: map[string]string{}})
	}
	f.clusters[name] = ns
	return ns
}

func (f *fakeBackend) List() ([]string, error) {
	f.record("list")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listErr != nil {
		return nil, f.listErr
	}
	var out []string
	for n := range f.clusters {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

func (f *fakeBackend) Create(name string, c createRequest) error {
	f.record("create %s", name)
	if f.createStarted != nil {
		close(f.createStarted)
	}
	if f.createGate != nil {
		<-f.createGate
	}
	f.mu.Lock()
	f.created = append(f.created, c)
	f.mu.Unlock()
	// With retain, nodes stay after a failure too.
	if f.createErr == nil || !f.failBeforeNodes {
		f.addCluster(name, len(c.Config.Nodes)-1)
	}
	return f.createErr
}

func (f *fakeBackend) Delete(name, kubeconfig string) error {
	f.record("delete %s %s", name, kubeconfig)
	if f.deleteErr != nil {
		return f.deleteErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.clusters, name)
	return nil
}

func (f *fakeBackend) CollectLogs(name, dir string) error {
	f.record("collect-logs %s", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "kind-version.txt"), []byte("kind v0.33.0"), 0o644); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.clusters[name] {
		if err := os.MkdirAll(filepath.Join(dir, n.name), 0o755); err != nil {
			return err
		}
	}
	return f.collectErr
}

func (f *fakeBackend) ExportKubeConfig(name, kubeconfig string) error {
	f.record("export-kubeconfig %s %s", name, kubeconfig)
	return f.exportErr
}

func (f *fakeBackend) Nodes(name string) ([]node, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []node
	for _, n := range f.clusters[name] {
		out = append(out, n)
	}
	return out, nil
}

type fakeNode struct {
	mu       sync.Mutex
	name     string
	role     string
	files    map[string]string
	readErr  error
	writeErr error
}

func (n *fakeNode) Name() string          { return n.name }
func (n *fakeNode) Role() (string, error) { return n.role, nil }

func (n *fakeNode) WriteFile(path, content string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.writeErr != nil {
		return n.writeErr
	}
	n.files[path] = content
	return nil
}

func (n *fakeNode) ReadFile(path string) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.readErr != nil {
		return "", n.readErr
	}
	return n.files[path], nil
}

// testProvider returns a provider on a fake backend, logging into buf.
func testProvider(t *testing.T, fb *fakeBackend, opts Options) (*Provider, *progresstest.Recorder) {
	t.Helper()
	rec := progresstest.New(0)
	opts.Log = rec
	if opts.WorkDir == "" {
		opts.WorkDir = t.TempDir()
	}
	p := New(opts)
	p.newBackend = func(string) (backend, error) { return fb, nil }
	p.now = func() time.Time { return time.Date(2026, 11, 21, 15, 4, 5, 0, time.UTC) }
	return p, rec
}

var errBoom = errors.New("boom")
