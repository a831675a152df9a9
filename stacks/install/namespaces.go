package install

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
)

// Labels labctl puts on namespaces it creates.
const (
	ManagedByLabel   = "app.kubernetes.io/managed-by"
	ManagedByValue   = "labctl"
	EnvironmentLabel = "labctl.dev/environment"
)

// conflictingLabels must never sit next to istio-injection (IST0103 and
// revision confusion): labctl refuses to label such a namespace.
var conflictingLabels = []string{"istio.io/rev"}

// NamespaceObject returns the Namespace object to apply for ns: a new one
// carries labctl's managed-by and environment labels, one that exists only
// the labels ns asks for (server-side apply leaves the others alone). It
// refuses a namespace being deleted and one whose labels conflict.
func NamespaceObject(ctx context.Context, kc kubernetes.Interface, env string, ns Namespace) (*unstructured.Unstructured, error) {
	obj := &unstructured.Unstructured{}
	obj.SetAPIVersion("v1")
	obj.SetKind("Namespace")
	obj.SetName(ns.Name)
	cur, err := kc.CoreV1().Namespaces().Get(ctx, ns.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		labels := map[string]string{ManagedByLabel: ManagedByValue, EnvironmentLabel: env}
		for k, v := range ns.Labels {
			labels[k] = v
		}
		obj.SetLabels(labels)
		return obj, nil
	case err != nil:
		return nil, fmt.Errorf("reading namespace %s: %w", ns.Name, err)
	case cur.Status.Phase == corev1.NamespaceTerminating:
		return nil, fmt.Errorf("namespace %s is being deleted: wait for it to go (a previous `labctl down` may still be finishing), then run again", ns.Name)
	}
	if _, ok := ns.Labels["istio-injection"]; ok {
		for _, c := range conflictingLabels {
			if _, ok := cur.Labels[c]; ok {
				return nil, fmt.Errorf("namespace %s has label %s, which conflicts with istio-injection: remove it (`kubectl label namespace %s %s-`) or use a namespace without it", ns.Name, c, ns.Name, c)
			}
		}
	}
	if len(ns.Labels) > 0 {
		obj.SetLabels(ns.Labels)
	}
	return obj, nil
}
