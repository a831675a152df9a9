package scope

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
)

// GoneTimeout bounds the wait for pruned objects to disappear (namespaces
// with finalizers take longest).
const GoneTimeout = 2 * time.Minute

// goneInterval is how often a prune polls for deleted objects.
const goneInterval = 100 * time.Millisecond

// Prune deletes every object of current whose key keep does not hold, then
// waits until they are gone, and returns the keys it deleted. Namespaces
// are deleted last, after their content. Deletion is in the foreground, so
// a pruned Deployment is gone only once its ReplicaSets and pods are: a
// check that runs after a reset does not count the pods of a workload the
// reset removed.
func (l *Lister) Prune(ctx context.Context, current []*unstructured.Unstructured, keep func(Key) bool) ([]Key, error) {
	var doomed, nss []*unstructured.Unstructured
	for _, u := range current {
		if keep(KeyOf(u)) {
			continue
		}
		if u.GetKind() == "Namespace" && u.GroupVersionKind().Group == "" {
			nss = append(nss, u)
		} else {
			doomed = append(doomed, u)
		}
	}
	doomed = append(doomed, nss...)
	var keys []Key
	var errs []error
	fg := metav1.DeletePropagationForeground
	for _, u := range doomed {
		k := KeyOf(u)
		ri, err := l.resource(u)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		err = ri.Delete(ctx, u.GetName(), metav1.DeleteOptions{PropagationPolicy: &fg})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting %s: %w", k, err))
			continue
		}
		keys = append(keys, k)
	}
	if err := errors.Join(errs...); err != nil {
		return keys, err
	}
	return keys, l.WaitGone(ctx, doomed, GoneTimeout)
}

// WaitGone waits until none of objs exists (by uid: a re-created object of
// the same name counts as gone).
func (l *Lister) WaitGone(ctx context.Context, objs []*unstructured.Unstructured, timeout time.Duration) error {
	pending := append([]*unstructured.Unstructured{}, objs...)
	var last string
	err := wait.PollUntilContextTimeout(ctx, goneInterval, timeout, true, func(ctx context.Context) (bool, error) {
		rest := pending[:0]
		for _, u := range pending {
			ri, err := l.resource(u)
			if err != nil {
				return false, err
			}
			cur, err := ri.Get(ctx, u.GetName(), metav1.GetOptions{})
			if apierrors.IsNotFound(err) || (err == nil && cur.GetUID() != u.GetUID()) {
				continue
			}
			if err != nil {
				return false, fmt.Errorf("reading %s: %w", KeyOf(u), err)
			}
			rest = append(rest, u)
			last = KeyOf(u).String()
		}
		pending = rest
		return len(pending) == 0, nil
	})
	if err != nil && len(pending) > 0 {
		return fmt.Errorf("%s (and %d more) still exists %s after deletion: look for finalizers on it (%w)", last, len(pending)-1, timeout, err)
	}
	return err
}

func (l *Lister) resource(u *unstructured.Unstructured) (interface {
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions, sub ...string) error
	Get(ctx context.Context, name string, opts metav1.GetOptions, sub ...string) (*unstructured.Unstructured, error)
}, error) {
	gvk := u.GroupVersionKind()
	m, err := l.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("looking up kind of %s: %w", KeyOf(u), err)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return l.Dynamic.Resource(m.Resource).Namespace(u.GetNamespace()), nil
	}
	return l.Dynamic.Resource(m.Resource), nil
}
