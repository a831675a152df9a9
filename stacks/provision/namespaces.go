package provision

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"

	"github.com/labctl/labctl/internal/apply"
	"github.com/labctl/labctl/stacks/install"
)

// applyNamespaces creates or labels a component's namespaces through the
// recorded apply (rec runs before anything is written, so `down` finds the
// namespaces and labels even after an interruption). It returns the
// namespaces that existed and got new labels: their pods predate the data
// plane.
func applyNamespaces(ctx context.Context, a *apply.Applier, kc kubernetes.Interface, env string, nss []install.Namespace, rec apply.Recorder) ([]string, error) {
	if len(nss) == 0 {
		return nil, nil
	}
	objs := make([]*unstructured.Unstructured, 0, len(nss))
	for _, ns := range nss {
		obj, err := install.NamespaceObject(ctx, kc, env, ns)
		if err != nil {
			return nil, err
		}
		objs = append(objs, obj)
	}
	res, err := a.Apply(ctx, objs, apply.Options{FieldManager: install.FieldManager, Force: true, Record: rec})
	if err != nil {
		return nil, err
	}
	var relabelled []string
	for _, l := range res.Plan.Labels {
		if !slices.Contains(relabelled, l.Namespace) {
			relabelled = append(relabelled, l.Namespace)
		}
	}
	return relabelled, nil
}
