//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/labctl/labctl/stacks/cluster/kwok"
)

// SettleTimeout bounds the wait for a fresh cluster's object lists to stop
// changing (controllers create bootstrap objects right after start).
const SettleTimeout = time.Minute

type clients struct {
	kube    kubernetes.Interface
	dynamic dynamic.Interface
}

func connect(t *testing.T, kubeconfig, kubeContext string) clients {
	t.Helper()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig},
		&clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
	if err != nil {
		t.Fatalf("context %s of %s: %v", kubeContext, kubeconfig, err)
	}
	return clients{kube: kubernetes.NewForConfigOrDie(cfg), dynamic: dynamic.NewForConfigOrDie(cfg)}
}

// snapshotKinds are the objects an install may leave behind on a cluster
// labctl did not create: namespaces (with their labels), CRDs, cluster-wide
// RBAC and admission webhooks.
var snapshotKinds = []schema.GroupVersionResource{
	{Version: "v1", Resource: "namespaces"},
	{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"},
	{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "mutatingwebhookconfigurations"},
	{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingwebhookconfigurations"},
}

// snapshot lists the objects of snapshotKinds as sorted lines
// "resource/name" (namespaces with their labels).
func (c clients) snapshot(ctx context.Context) ([]string, error) {
	var out []string
	for _, gvr := range snapshotKinds {
		list, err := c.dynamic.Resource(gvr).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", gvr.Resource, err)
		}
		for _, o := range list.Items {
			line := gvr.Resource + "/" + o.GetName()
			if gvr.Resource == "namespaces" {
				var labels []string
				for k, v := range o.GetLabels() {
					labels = append(labels, k+"="+v)
				}
				sort.Strings(labels)
				line += " " + strings.Join(labels, ",")
			}
			out = append(out, line)
		}
	}
	sort.Strings(out)
	return out, nil
}

// settledSnapshot takes snapshots until two in a row agree.
func (c clients) settledSnapshot(ctx context.Context, t *testing.T) []string {
	t.Helper()
	var last []string
	err := wait.PollUntilContextTimeout(ctx, time.Second, SettleTimeout, true, func(ctx context.Context) (bool, error) {
		s, err := c.snapshot(ctx)
		if err != nil {
			return false, err
		}
		same := strings.Join(s, "\n") == strings.Join(last, "\n")
		last = s
		return same, nil
	})
	if err != nil {
		t.Fatalf("cluster objects did not settle: %v", err)
	}
	return last
}

// helmReleases lists Helm's release records (Secrets owned by helm) as
// "namespace/name.vN", so a new revision shows up as a change.
func (c clients) helmReleases(ctx context.Context) ([]string, error) {
	secrets, err := c.kube.CoreV1().Secrets("").List(ctx, metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil {
		return nil, fmt.Errorf("listing Helm release secrets: %w", err)
	}
	var out []string
	for _, s := range secrets.Items {
		out = append(out, s.Namespace+"/"+s.Labels["name"]+".v"+s.Labels["version"])
	}
	sort.Strings(out)
	return out, nil
}

// diff returns lines only in a ("-") and only in b ("+").
func diff(a, b []string) []string {
	in := func(s []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range s {
			m[x] = true
		}
		return m
	}
	ina, inb := in(a), in(b)
	var out []string
	for _, x := range a {
		if !inb[x] {
			out = append(out, "- "+x)
		}
	}
	for _, x := range b {
		if !ina[x] {
			out = append(out, "+ "+x)
		}
	}
	return out
}

// kwokProcesses reads the pids kwokctl recorded for the lab's cluster.
func (l *lab) kwokProcesses() map[string]int {
	dir := filepath.Join(kwok.ClusterDir(kwok.Workdir(l.cacheDir), l.name), "pids")
	entries, _ := os.ReadDir(dir)
	out := map[string]int{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			out[strings.TrimSuffix(e.Name(), ".pid")] = pid
		}
	}
	if pid := l.istiodPID(); pid > 0 {
		out["istiod"] = pid
	}
	return out
}

// istiodPID is the pid of the istiod process `up` started, or 0.
func (l *lab) istiodPID() int {
	b, err := os.ReadFile(filepath.Join(kwok.IstiodDir(kwok.ClusterDir(kwok.Workdir(l.cacheDir), l.name)), "istiod.json"))
	if err != nil {
		return 0
	}
	var rec struct{ PID int }
	if json.Unmarshal(b, &rec) != nil {
		return 0
	}
	return rec.PID
}

// running reports whether pid is a live process (zombies are not: their
// parent, kwokctl, exited and pid 1 may not reap them).
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || (stat[i+2] != 'Z' && stat[i+2] != 'X')
}
