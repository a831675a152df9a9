package kwok

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// BindAddress is where every process of a simulated cluster listens.
// kwokctl's default is 0.0.0.0, which would put an etcd without TLS or
// credentials on every interface of the machine.
const BindAddress = "127.0.0.1"

// kwokctl's configuration kind and API version
// (sigs.k8s.io/kwok pkg/apis/config/v1alpha1).
const (
	configAPIVersion = "config.kwok.x-k8s.io/v1alpha1"
	configKind       = "KwokctlConfiguration"
)

// kwokctlConfig is the part of a KwokctlConfiguration the provider sets.
type kwokctlConfig struct {
	Kind       string         `json:"kind"`
	APIVersion string         `json:"apiVersion"`
	Options    kwokctlOptions `json:"options"`
}

type kwokctlOptions struct {
	BindAddress string `json:"bindAddress,omitempty"`
	Ports
}

// Ports are the host ports of one cluster's processes, in kwokctl's
// option names. Zero leaves the choice to kwokctl.
type Ports struct {
	EtcdPeerPort              uint32 `json:"etcdPeerPort,omitempty"`
	EtcdPort                  uint32 `json:"etcdPort,omitempty"`
	KubeApiserverPort         uint32 `json:"kubeApiserverPort,omitempty"`
	KubeControllerManagerPort uint32 `json:"kubeControllerManagerPort,omitempty"`
	KubeSchedulerPort         uint32 `json:"kubeSchedulerPort,omitempty"`
	KwokControllerPort        uint32 `json:"kwokControllerPort,omitempty"`
}

// ConfigPath is the kwokctl configuration the provider writes for env. It
// is outside <workdir>/clusters, where kwokctl wants only directories.
func ConfigPath(workdir, env string) string {
	return filepath.Join(workdir, "configs", env+".yaml")
}

// writeConfig writes the configuration `kwokctl create cluster --config`
// reads: loopback only, and the given ports.
func writeConfig(path string, ports Ports) error {
	b, err := yaml.Marshal(kwokctlConfig{
		Kind: configKind, APIVersion: configAPIVersion,
		Options: kwokctlOptions{BindAddress: BindAddress, Ports: ports},
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating the directory of kwokctl configuration %s: %w", path, err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("writing kwokctl configuration %s: %w", path, err)
	}
	return nil
}

// savedOptions reads the options of the configuration kwokctl saved for a
// cluster (<cluster dir>/kwok.yaml, several YAML documents).
func savedOptions(clusterDir string) (kwokctlOptions, error) {
	path := filepath.Join(clusterDir, "kwok.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		return kwokctlOptions{}, fmt.Errorf("reading the simulated cluster's configuration: %w", err)
	}
	for _, doc := range bytes.Split(b, []byte("\n---")) {
		var c kwokctlConfig
		if err := yaml.Unmarshal(doc, &c); err != nil {
			return kwokctlOptions{}, fmt.Errorf("%s: %w", path, err)
		}
		if c.Kind == configKind {
			return c.Options, nil
		}
	}
	return kwokctlOptions{}, fmt.Errorf("%s has no %s", path, configKind)
}

// errExposed is returned for a cluster made before the provider bound
// everything to loopback.
var errExposed = errors.New("listens on every interface")

// checkLoopback refuses to reuse a cluster whose processes listen on
// anything but BindAddress.
func checkLoopback(clusterDir, env string) error {
	o, err := savedOptions(clusterDir)
	if err != nil {
		return err
	}
	if o.BindAddress != BindAddress {
		return fmt.Errorf("simulated cluster %s %w (bindAddress %q in %s): run `labctl down --name %s` and `labctl up` again to recreate it on %s only",
			ClusterName(env), errExposed, o.BindAddress, filepath.Join(clusterDir, "kwok.yaml"), env, BindAddress)
	}
	return nil
}
