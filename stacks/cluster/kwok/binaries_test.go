package kwok

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFinderResolve(t *testing.T) {
	cacheBin := "/cache/testenv/bin"
	tests := []struct {
		name     string
		explicit map[string]string
		env      map[string]string
		files    []string // executables that exist
		path     map[string]string
		want     map[string]Binary // by component; Source and Path only
	}{{
		name: "nothing anywhere",
		want: map[string]Binary{Kwokctl: {}, KubeAPIServer: {}, Etcd: {}, Kubectl: {}},
	}, {
		name:  "cache dir",
		files: []string{cacheBin + "/kwokctl", cacheBin + "/kube-apiserver", cacheBin + "/etcd", cacheBin + "/kwok"},
		want: map[string]Binary{
			Kwokctl:        {Path: cacheBin + "/kwokctl", Source: SourceCache},
			KubeAPIServer:  {Path: cacheBin + "/kube-apiserver", Source: SourceCache},
			Etcd:           {Path: cacheBin + "/etcd", Source: SourceCache},
			KwokController: {Path: cacheBin + "/kwok", Source: SourceCache},
			KubeScheduler:  {},
		},
	}, {
		name:  "kwokctl's variables win over the cache",
		env:   map[string]string{"KWOK_KUBE_APISERVER_BINARY": "/opt/apiserver", "KWOK_CONTROLLER_BINARY": "/opt/kwok"},
		files: []string{cacheBin + "/kube-apiserver", cacheBin + "/kwok"},
		want: map[string]Binary{
			KubeAPIServer:  {Path: "/opt/apiserver", Source: SourceEnv},
			KwokController: {Path: "/opt/kwok", Source: SourceEnv},
		},
	}, {
		name:     "options win over variables",
		explicit: map[string]string{Etcd: "/flag/etcd", Kwokctl: "/flag/kwokctl"},
		env:      map[string]string{"KWOK_ETCD_BINARY": "/env/etcd", KwokctlEnv: "/env/kwokctl"},
		want: map[string]Binary{
			Etcd:    {Path: "/flag/etcd", Source: SourceOption},
			Kwokctl: {Path: "/flag/kwokctl", Source: SourceOption},
		},
	}, {
		name: "PATH only for kwokctl and kubectl",
		path: map[string]string{"kwokctl": "/usr/bin/kwokctl", "kubectl": "/usr/bin/kubectl", "etcd": "/usr/bin/etcd"},
		want: map[string]Binary{
			Kwokctl: {Path: "/usr/bin/kwokctl", Source: SourcePath},
			Kubectl: {Path: "/usr/bin/kubectl", Source: SourcePath},
			Etcd:    {},
		},
	}, {
		name:  "cache wins over PATH",
		files: []string{cacheBin + "/kubectl"},
		path:  map[string]string{"kubectl": "/usr/bin/kubectl"},
		want:  map[string]Binary{Kubectl: {Path: cacheBin + "/kubectl", Source: SourceCache}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := finder{
				explicit: tt.explicit,
				getenv:   func(k string) string { return tt.env[k] },
				exists: func(p string) bool {
					for _, f := range tt.files {
						if f == p {
							return true
						}
					}
					return false
				},
				lookPath: func(n string) (string, error) {
					if p, ok := tt.path[n]; ok {
						return p, nil
					}
					return "", errors.New("not found")
				},
				cacheBin: cacheBin,
			}
			got := f.resolve()
			require.Len(t, got, len(Components()))
			for name, want := range tt.want {
				assert.Equal(t, want.Path, got[name].Path, name)
				assert.Equal(t, want.Source, got[name].Source, name)
				assert.Equal(t, name, got[name].Name)
			}
		})
	}
}

func TestMissingKeepsComponentOrder(t *testing.T) {
	b := Binaries{}
	for _, c := range Components() {
		b[c.Name] = Binary{Component: c, Path: "/x/" + c.Name}
	}
	assert.Empty(t, b.Missing())
	b[Etcd] = Binary{Component: b[Etcd].Component}
	b[Kwokctl] = Binary{Component: b[Kwokctl].Component}
	var names []string
	for _, m := range b.Missing() {
		names = append(names, m.Name)
	}
	assert.Equal(t, []string{Kwokctl, Etcd}, names)
}

func TestIsExecutable(t *testing.T) {
	dir := t.TempDir()
	exe, plain := filepath.Join(dir, "exe"), filepath.Join(dir, "plain")
	require.NoError(t, os.WriteFile(exe, nil, 0o755))
	require.NoError(t, os.WriteFile(plain, nil, 0o644))
	tests := []struct {
		path string
		want bool
	}{{exe, true}, {plain, false}, {dir, false}, {filepath.Join(dir, "none"), false}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, isExecutable(tt.path), tt.path)
	}
}

func TestNewFinderUsesTestenvDir(t *testing.T) {
	f := newFinder(nil, "/c")
	assert.Equal(t, "/c/testenv/bin", f.cacheBin)
}
