package kwok

import (
	"path/filepath"
	"strconv"
	"strings"
)

// ContextPrefix is what kwokctl puts before the cluster name: the cluster,
// its kube context, cluster and user entries are all "kwok-<env>".
const ContextPrefix = "kwok-"

// ClusterName is kwokctl's name for the environment's cluster.
func ClusterName(env string) string { return ContextPrefix + env }

// Workdir is KWOK_WORKDIR for a cache directory: kwokctl keeps its clusters
// under <workdir>/clusters and its downloads under <workdir>/cache.
func Workdir(cacheDir string) string { return filepath.Join(cacheDir, "kwok") }

// ClusterDir is where kwokctl keeps one cluster: config, pki, etcd data,
// pid files and logs. kwokctl names the directory after --name, without
// the "kwok-" prefix it gives the kube context.
func ClusterDir(workdir, env string) string {
	return filepath.Join(workdir, "clusters", env)
}

// createArgs builds `kwokctl create cluster` for environment env with the
// configuration file config (see writeConfig). The kubeconfig flag is set
// empty so kwokctl leaves every kubeconfig alone: the provider writes the
// context itself, also when the cluster is reused.
func createArgs(env, config string, bins Binaries) []string {
	args := []string{
		"create", "cluster",
		"--name", env,
		"--runtime", "binary",
		"--kubeconfig=",
		"--quiet-pull",
		// labctl installs many charts at once; the default client QPS
		// limits of the components slow that down for nothing.
		"--disable-qps-limits",
	}
	for _, c := range Components() {
		if b := bins[c.Name]; c.Flag != "" && b.Path != "" {
			args = append(args, c.Flag, b.Path)
		}
	}
	return append(args, "--config", config)
}

// scaleArgs builds `kwokctl scale node`: kwokctl creates or deletes fake
// nodes until there are exactly nodes of them, so it is idempotent.
func scaleArgs(env string, nodes int) []string {
	return []string{"scale", "node", "--name", env, "--replicas", strconv.Itoa(nodes)}
}

// stopArgs builds `kwokctl stop cluster`: every process stops, the
// configuration and data stay.
func stopArgs(env string) []string {
	return []string{"stop", "cluster", "--name", env}
}

// deleteArgs builds `kwokctl delete cluster`; kwokctl also removes its
// context from kubeconfig (it requires a path there).
func deleteArgs(env, kubeconfig string) []string {
	return []string{"delete", "cluster", "--name", env, "--kubeconfig", kubeconfig}
}

// commandEnv is the environment kwokctl runs with: the caller's, with
// KWOK_WORKDIR set and every found binary passed in kwokctl's variables
// (kubectl has no flag), and the directory of a found kubectl first on
// PATH, because kwokctl prefers kubectl from PATH over its variable.
func commandEnv(base []string, workdir string, bins Binaries) []string {
	set := map[string]string{"KWOK_WORKDIR": workdir}
	for _, c := range Components() {
		if b := bins[c.Name]; b.Path != "" && c.Name != Kwokctl {
			set[c.Env] = b.Path
		}
	}
	if k := bins[Kubectl]; k.Path != "" && k.Source != SourcePath {
		path := filepath.Dir(k.Path)
		for _, kv := range base {
			if v, ok := strings.CutPrefix(kv, "PATH="); ok && v != "" {
				path += string(filepath.ListSeparator) + v
			}
		}
		set["PATH"] = path
	}
	out := make([]string, 0, len(base)+len(set))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for _, c := range append([]string{"KWOK_WORKDIR", "PATH"}, envNames()...) {
		if v, ok := set[c]; ok {
			out = append(out, c+"="+v)
			delete(set, c)
		}
	}
	return out
}

func envNames() []string {
	out := make([]string, 0, len(Components()))
	for _, c := range Components() {
		out = append(out, c.Env)
	}
	return out
}
