package scope

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// serverMetadata are metadata fields the API server sets.
var serverMetadata = []string{"resourceVersion", "uid", "generation", "creationTimestamp", "managedFields",
	"selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}

// serverAnnotations are annotations tools and controllers add that say
// nothing about the object's configuration.
var serverAnnotations = []string{
	"kubectl.kubernetes.io/last-applied-configuration",
	"deployment.kubernetes.io/revision",
}

// Normalize returns obj's content without what the server manages: status,
// resourceVersion, uid, generation, timestamps, managedFields, the
// annotations tools add, Service cluster IPs, and the restart marker of a
// rollout restart (a restart changes pods, not configuration).
func Normalize(obj *unstructured.Unstructured) map[string]any {
	c := runtime.DeepCopyJSON(obj.Object)
	delete(c, "status")
	for _, f := range serverMetadata {
		unstructured.RemoveNestedField(c, "metadata", f)
	}
	for _, a := range serverAnnotations {
		unstructured.RemoveNestedField(c, "metadata", "annotations", a)
	}
	if obj.GetKind() == "Service" && obj.GroupVersionKind().Group == "" {
		for _, f := range []string{"clusterIP", "clusterIPs"} {
			unstructured.RemoveNestedField(c, "spec", f)
		}
	}
	unstructured.RemoveNestedField(c, "spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt")
	dropEmpty(c)
	return c
}

// dropEmpty removes nil values and empty maps (creationTimestamp: null, an
// annotations map emptied above), which say nothing.
func dropEmpty(m map[string]any) {
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			dropEmpty(sub)
			if len(sub) == 0 {
				delete(m, k)
			}
		} else if v == nil {
			delete(m, k)
		}
	}
}

func deepCopy(m map[string]any) map[string]any { return runtime.DeepCopyJSON(m) }
