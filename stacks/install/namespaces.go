package install

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/labctl/labctl/internal/state"
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

// NamespaceResult says what EnsureNamespace changed.
type NamespaceResult struct {
	Created bool
	// Added are labels set on a namespace labctl did not create.
	Added []state.NamespaceLabel
	// Relabelled is true when a mesh label was added to a namespace that
	// already existed, so pods already running there lack the data plane.
	Relabelled bool
}

// EnsureNamespace creates ns if missing and sets its labels.
func EnsureNamespace(ctx context.Context, kc kubernetes.Interface, env string, ns Namespace) (NamespaceResult, error) {
	var res NamespaceResult
	cur, err := kc.CoreV1().Namespaces().Get(ctx, ns.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		labels := map[string]string{ManagedByLabel: ManagedByValue, EnvironmentLabel: env}
		for k, v := range ns.Labels {
			labels[k] = v
		}
		_, err := kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns.Name, Labels: labels}}, metav1.CreateOptions{FieldManager: FieldManager})
		if apierrors.IsAlreadyExists(err) {
			return EnsureNamespace(ctx, kc, env, ns)
		}
		if err != nil {
			return res, fmt.Errorf("creating namespace %s: %w", ns.Name, err)
		}
		res.Created = true
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("reading namespace %s: %w", ns.Name, err)
	}
	if cur.Status.Phase == corev1.NamespaceTerminating {
		return res, fmt.Errorf("namespace %s is being deleted: wait for it to go (a previous `labctl down` may still be finishing), then run again", ns.Name)
	}
	patch := map[string]string{}
	for k, v := range ns.Labels {
		if k == "istio-injection" {
			for _, c := range conflictingLabels {
				if _, ok := cur.Labels[c]; ok {
					return res, fmt.Errorf("namespace %s has label %s, which conflicts with istio-injection: remove it (`kubectl label namespace %s %s-`) or use a namespace without it", ns.Name, c, ns.Name, c)
				}
			}
		}
		if cur.Labels[k] != v {
			patch[k] = v
			res.Added = append(res.Added, state.NamespaceLabel{Namespace: ns.Name, Key: k, Value: v})
		}
	}
	if len(patch) == 0 {
		return res, nil
	}
	body, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": patch}})
	if _, err := kc.CoreV1().Namespaces().Patch(ctx, ns.Name, types.MergePatchType, body, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
		return res, fmt.Errorf("labelling namespace %s: %w", ns.Name, err)
	}
	res.Relabelled = true
	return res, nil
}
