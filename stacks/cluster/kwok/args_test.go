package kwok

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func allBinaries(dir string) Binaries {
	b := Binaries{}
	for _, c := range Components() {
		b[c.Name] = Binary{Component: c, Path: dir + "/" + c.Name, Source: SourceCache}
	}
	return b
}

func TestCreateArgs(t *testing.T) {
	some := allBinaries("/b")
	some[Etcd] = Binary{Component: some[Etcd].Component}
	tests := []struct {
		name string
		bins Binaries
		want []string
	}{{
		name: "every binary passed by flag, kubectl and kwokctl not",
		bins: allBinaries("/b"),
		want: []string{"create", "cluster", "--name", "lab", "--runtime", "binary", "--kubeconfig=", "--quiet-pull", "--disable-qps-limits",
			"--kube-apiserver-binary", "/b/kube-apiserver",
			"--kube-controller-manager-binary", "/b/kube-controller-manager",
			"--kube-scheduler-binary", "/b/kube-scheduler",
			"--kwok-controller-binary", "/b/kwok",
			"--etcd-binary", "/b/etcd",
			"--config", "/w/configs/lab.yaml"},
	}, {
		name: "missing binaries are left to kwokctl",
		bins: some,
		want: []string{"create", "cluster", "--name", "lab", "--runtime", "binary", "--kubeconfig=", "--quiet-pull", "--disable-qps-limits",
			"--kube-apiserver-binary", "/b/kube-apiserver",
			"--kube-controller-manager-binary", "/b/kube-controller-manager",
			"--kube-scheduler-binary", "/b/kube-scheduler",
			"--kwok-controller-binary", "/b/kwok",
			"--config", "/w/configs/lab.yaml"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, createArgs("lab", ConfigPath("/w", "lab"), tt.bins))
		})
	}
}

func TestScaleAndDeleteArgs(t *testing.T) {
	assert.Equal(t, []string{"scale", "node", "--name", "lab", "--replicas", "3"}, scaleArgs("lab", 3))
	assert.Equal(t, []string{"delete", "cluster", "--name", "lab", "--kubeconfig", "/k/config"}, deleteArgs("lab", "/k/config"))
}

func TestNames(t *testing.T) {
	assert.Equal(t, "kwok-lab", ClusterName("lab"))
	assert.Equal(t, "/c/kwok", Workdir("/c"))
	assert.Equal(t, "/c/kwok/clusters/lab", ClusterDir(Workdir("/c"), "lab"))
}

func TestCommandEnv(t *testing.T) {
	pathKubectl := allBinaries("/b")
	pathKubectl[Kubectl] = Binary{Component: pathKubectl[Kubectl].Component, Path: "/usr/bin/kubectl", Source: SourcePath}
	none := Binaries{}
	for _, c := range Components() {
		none[c.Name] = Binary{Component: c}
	}
	tests := []struct {
		name string
		base []string
		bins Binaries
		want []string
	}{{
		name: "found binaries in kwokctl's variables, cached kubectl first on PATH, stale values replaced",
		base: []string{"HOME=/h", "PATH=/usr/bin", "KWOK_WORKDIR=/old", "KWOK_ETCD_BINARY=/old/etcd"},
		bins: allBinaries("/b"),
		want: []string{"HOME=/h", "KWOK_WORKDIR=/w", "PATH=/b:/usr/bin",
			"KWOK_KUBE_APISERVER_BINARY=/b/kube-apiserver",
			"KWOK_KUBE_CONTROLLER_MANAGER_BINARY=/b/kube-controller-manager",
			"KWOK_KUBE_SCHEDULER_BINARY=/b/kube-scheduler",
			"KWOK_CONTROLLER_BINARY=/b/kwok",
			"KWOK_ETCD_BINARY=/b/etcd",
			"KWOK_KUBECTL_BINARY=/b/kubectl"},
	}, {
		name: "kubectl from PATH leaves PATH alone",
		base: []string{"PATH=/usr/bin"},
		bins: pathKubectl,
		want: []string{"PATH=/usr/bin", "KWOK_WORKDIR=/w",
			"KWOK_KUBE_APISERVER_BINARY=/b/kube-apiserver",
			"KWOK_KUBE_CONTROLLER_MANAGER_BINARY=/b/kube-controller-manager",
			"KWOK_KUBE_SCHEDULER_BINARY=/b/kube-scheduler",
			"KWOK_CONTROLLER_BINARY=/b/kwok",
			"KWOK_ETCD_BINARY=/b/etcd",
			"KWOK_KUBECTL_BINARY=/usr/bin/kubectl"},
	}, {
		name: "nothing found: only the workdir, and the user's variables pass through",
		base: []string{"KWOK_ETCD_BINARY=/mine/etcd"},
		bins: none,
		want: []string{"KWOK_ETCD_BINARY=/mine/etcd", "KWOK_WORKDIR=/w"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, commandEnv(tt.base, "/w", tt.bins))
		})
	}
}
