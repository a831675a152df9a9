package provision

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks/install"
)

// Named timeouts for down.
const (
	TimeoutUninstall       = 3 * time.Minute
	TimeoutNamespaceDelete = 3 * time.Minute
)

// istioRootCert is the ConfigMap istiod writes into every namespace.
const istioRootCert = "istio-ca-root-cert"

// Down removes everything labctl made for an environment. For clusters
// labctl created it deletes the cluster; for existing clusters it uninstalls
// releases newest first, deletes the objects and namespaces it created and
// takes back the labels it added, leaving the cluster as found. Running it
// on an environment that is gone does nothing.
func (p *Provisioner) Down(ctx context.Context, name string) error {
	unlock, err := p.Store.Lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	env, err := p.Store.Load(name)
	if errors.Is(err, state.ErrNotFound) {
		p.newStatus().Info(fmt.Sprintf(" • environment %q does not exist: nothing to remove", name))
		return nil
	}
	if err != nil {
		return err
	}
	pr, err := p.provider(env.Provider)
	if err != nil {
		return err
	}
	status := p.newStatus()
	defer status.Close()
	if env.ClusterCreated {
		status.Start("cluster", fmt.Sprintf("Deleting %s cluster %q", env.Provider, env.Name))
		if err := pr.Delete(ctx, env); err != nil {
			status.Fail("cluster", "Deleting cluster failed")
			return err
		}
		status.Done("cluster", fmt.Sprintf("Deleted %s cluster %q", env.Provider, env.Name))
		return p.Store.Delete(name)
	}
	if err := p.cleanExisting(ctx, env); err != nil {
		return err
	}
	return p.Store.Delete(name)
}

func (p *Provisioner) cleanExisting(ctx context.Context, env *state.Environment) error {
	c, err := p.Clients(env.Kubeconfig, env.Context)
	if err != nil {
		return err
	}
	status := p.newStatus()
	defer status.Close()
	helm := p.helm(c)
	mf, err := p.manifests(c)
	if err != nil {
		return err
	}
	// Newest first: traffic, apps, addons, gateway, ztunnel, cni, istiod, base.
	installedIstiod := false
	for i := len(env.Releases) - 1; i >= 0; i-- {
		rel := env.Releases[i]
		if rel.Component == "istiod" {
			installedIstiod = true
		}
		status.Start(rel.Name, fmt.Sprintf("Uninstalling %s/%s", rel.Namespace, rel.Name))
		kept, err := keptCRDs(helm, rel)
		if err != nil {
			status.Fail(rel.Name, "")
			return err
		}
		if err := helm.Uninstall(ctx, rel.Name, rel.Namespace, TimeoutUninstall); err != nil {
			status.Fail(rel.Name, "")
			return err
		}
		// CRDs a chart keeps on uninstall (resource-policy keep, crds/) were
		// still installed by labctl: remove them too.
		if err := mf.Delete(ctx, kept); err != nil {
			status.Fail(rel.Name, "")
			return err
		}
		if err := mf.WaitGone(ctx, kept, TimeoutUninstall); err != nil {
			status.Fail(rel.Name, "")
			return fmt.Errorf("release %s/%s: %w", rel.Namespace, rel.Name, err)
		}
		env.RemoveRelease(rel.Name, rel.Namespace)
		if err := p.Store.Save(env); err != nil {
			return err
		}
		status.Done(rel.Name, fmt.Sprintf("Uninstalled %s/%s", rel.Namespace, rel.Name))
	}
	if len(env.Objects) > 0 {
		status.Start("objects", fmt.Sprintf("Deleting %d objects labctl created", len(env.Objects)))
		if err := mf.Delete(ctx, env.Objects); err != nil {
			status.Fail("objects", "")
			return err
		}
		if err := mf.WaitGone(ctx, env.Objects, TimeoutUninstall); err != nil {
			status.Fail("objects", "")
			return err
		}
		env.Objects = nil
		status.Done("objects", "Deleted the objects labctl created")
	}
	for _, l := range env.Labels {
		if env.HasNamespace(l.Namespace) {
			continue
		}
		body, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]any{l.Key: nil}}})
		if _, err := c.Kube.CoreV1().Namespaces().Patch(ctx, l.Namespace, types.MergePatchType, body, metav1.PatchOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("removing label %s from namespace %s: %w", l.Key, l.Namespace, err)
		}
	}
	env.Labels = nil
	if installedIstiod {
		if err := deleteRootCerts(ctx, c.Kube.CoreV1(), env); err != nil {
			return err
		}
	}
	if len(env.Namespaces) > 0 {
		status.Start("namespaces", fmt.Sprintf("Deleting namespaces %v", env.Namespaces))
		if err := deleteNamespaces(ctx, c.Kube.CoreV1(), env.Namespaces); err != nil {
			status.Fail("namespaces", "")
			return err
		}
		status.Done("namespaces", fmt.Sprintf("Deleted namespaces %v", env.Namespaces))
	}
	return nil
}

// keptCRDs lists the CRDs of a release's manifest, to delete them after
// uninstall if Helm kept them.
func keptCRDs(h Releases, rel state.Release) ([]state.ObjectRef, error) {
	last, err := h.Status(rel.Namespace, rel.Name)
	if err != nil || last == nil {
		return nil, err
	}
	manifest := last.Manifest
	for _, crd := range last.Chart.CRDObjects() {
		manifest += "\n---\n" + string(crd.File.Data)
	}
	objs, err := install.Decode(bytes.NewBufferString(manifest).Bytes())
	if err != nil {
		return nil, fmt.Errorf("reading manifest of release %s/%s: %w", rel.Namespace, rel.Name, err)
	}
	var out []state.ObjectRef
	for _, o := range objs {
		if o.GetKind() == "CustomResourceDefinition" {
			out = append(out, state.ObjectRef{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Name: o.GetName()})
		}
	}
	return out, nil
}

// deleteRootCerts removes the CA ConfigMap istiod wrote into namespaces
// labctl did not create (its own namespaces go whole).
func deleteRootCerts(ctx context.Context, core corev1client.CoreV1Interface, env *state.Environment) error {
	nss, err := core.Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing namespaces: %w", err)
	}
	for _, ns := range nss.Items {
		if env.HasNamespace(ns.Name) {
			continue
		}
		err := core.ConfigMaps(ns.Name).Delete(ctx, istioRootCert, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting ConfigMap %s/%s that istiod wrote: %w", ns.Name, istioRootCert, err)
		}
	}
	return nil
}

// deleteNamespaces deletes namespaces and waits until they are gone, so a
// following `up` does not meet them Terminating.
func deleteNamespaces(ctx context.Context, core corev1client.CoreV1Interface, names []string) error {
	for _, n := range names {
		if err := core.Namespaces().Delete(ctx, n, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting namespace %s: %w", n, err)
		}
	}
	var left []string
	err := wait.PollUntilContextTimeout(ctx, time.Second, TimeoutNamespaceDelete, true, func(ctx context.Context) (bool, error) {
		left = left[:0]
		for _, n := range names {
			_, err := core.Namespaces().Get(ctx, n, metav1.GetOptions{})
			if err == nil {
				left = append(left, n)
			} else if !apierrors.IsNotFound(err) {
				return false, err
			}
		}
		return len(left) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("namespaces %v were not gone within %s (check finalizers with `kubectl get namespace NAME -o yaml`): %w", left, TimeoutNamespaceDelete, err)
	}
	return nil
}
