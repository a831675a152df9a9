package preflight

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// fakeEnv builds an Env from maps: env vars, binaries on PATH and files.
func fakeEnv(vars map[string]string, bins []string, files map[string]string) Env {
	return Env{
		Getenv: func(k string) string { return vars[k] },
		LookPath: func(name string) (string, error) {
			for _, b := range bins {
				if b == name {
					return "/usr/bin/" + name, nil
				}
			}
			return "", errors.New("not found")
		},
		ReadFile: func(p string) ([]byte, error) {
			if s, ok := files[p]; ok {
				return []byte(s), nil
			}
			return nil, fs.ErrNotExist
		},
		HomeDir: "/home/u",
		GOOS:    "linux",
		UID:     1000,
	}
}

func contextMeta(dir, name string) string {
	sum := sha256.Sum256([]byte(name))
	return filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json")
}

func TestDetectRuntime(t *testing.T) {
	colimaMeta := contextMeta("/home/u/.docker", "colima")
	tests := []struct {
		name  string
		env   Env
		want  Runtime
		uidIs int
	}{
		{"nothing installed", fakeEnv(nil, nil, nil), Runtime{GOOS: "linux"}, 1000},
		{"docker default socket", fakeEnv(nil, []string{"docker", "podman"}, nil),
			Runtime{Name: "docker", Endpoint: "unix:///var/run/docker.sock", Source: "default", GOOS: "linux"}, 1000},
		{"DOCKER_HOST wins", fakeEnv(map[string]string{"DOCKER_HOST": "tcp://10.0.0.1:2375"}, []string{"docker"}, nil),
			Runtime{Name: "docker", Endpoint: "tcp://10.0.0.1:2375", Source: "DOCKER_HOST", GOOS: "linux"}, 1000},
		{"docker context from config.json", fakeEnv(nil, []string{"docker"}, map[string]string{
			"/home/u/.docker/config.json": `{"currentContext":"colima"}`,
			colimaMeta:                    `{"Name":"colima","Endpoints":{"docker":{"Host":"unix:///home/u/.colima/default/docker.sock"}}}`,
		}), Runtime{Name: "docker", Endpoint: "unix:///home/u/.colima/default/docker.sock", Source: `docker context "colima"`, GOOS: "linux"}, 1000},
		{"DOCKER_CONTEXT and DOCKER_CONFIG", fakeEnv(map[string]string{"DOCKER_CONTEXT": "colima", "DOCKER_CONFIG": "/cfg"}, []string{"docker"}, map[string]string{
			contextMeta("/cfg", "colima"): `{"Endpoints":{"docker":{"Host":"unix:///c.sock"}}}`,
		}), Runtime{Name: "docker", Endpoint: "unix:///c.sock", Source: `docker context "colima"`, GOOS: "linux"}, 1000},
		{"missing context meta falls back", fakeEnv(nil, []string{"docker"}, map[string]string{
			"/home/u/.docker/config.json": `{"currentContext":"gone"}`,
		}), Runtime{Name: "docker", Endpoint: "unix:///var/run/docker.sock", Source: "default", GOOS: "linux"}, 1000},
		{"nerdctl before podman", fakeEnv(nil, []string{"podman", "nerdctl"}, nil),
			Runtime{Name: "nerdctl", GOOS: "linux"}, 1000},
		{"KIND_EXPERIMENTAL_PROVIDER", fakeEnv(map[string]string{"KIND_EXPERIMENTAL_PROVIDER": "podman", "XDG_RUNTIME_DIR": "/run/user/1000"}, []string{"docker", "podman"}, nil),
			Runtime{Name: "podman", Endpoint: "unix:///run/user/1000/podman/podman.sock", Source: "default", GOOS: "linux"}, 1000},
		{"rootful podman", fakeEnv(map[string]string{"XDG_RUNTIME_DIR": "/run/user/0"}, []string{"podman"}, nil),
			Runtime{Name: "podman", Endpoint: "unix:///run/podman/podman.sock", Source: "default", GOOS: "linux"}, 0},
		{"CONTAINER_HOST", fakeEnv(map[string]string{"CONTAINER_HOST": "unix:///p.sock"}, []string{"podman"}, nil),
			Runtime{Name: "podman", Endpoint: "unix:///p.sock", Source: "CONTAINER_HOST", GOOS: "linux"}, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.env.UID = tc.uidIs
			assert.Equal(t, tc.want, DetectRuntime(tc.env))
		})
	}
}
