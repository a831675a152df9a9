package provision

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestDiagnose(t *testing.T) {
	pod := func(name string, st corev1.PodStatus) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "bookinfo"}, Status: st}
	}
	waiting := func(reason, msg string) corev1.PodStatus {
		return corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: "docker.io/istio/x:1", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}}}
	}
	kc := fake.NewClientset(
		pod("pull", waiting("ImagePullBackOff", "Back-off pulling image")),
		pod("limit", waiting("ErrImagePull", "toomanyrequests: You have reached your pull rate limit")),
		pod("crash", waiting("CrashLoopBackOff", "")),
		pod("fine", corev1.PodStatus{Phase: corev1.PodRunning}),
		pod("pending", corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, Message: "0/2 nodes are available: 2 Insufficient cpu."}}}),
	)
	got := Diagnose(context.Background(), kc, []string{"bookinfo", "empty"})
	require.Len(t, got, 4)
	require.Contains(t, got[0], "pod bookinfo/crash: container app keeps crashing: see `kubectl logs -n bookinfo crash -c app --previous`")
	require.Contains(t, got[1], "pod bookinfo/limit: container app cannot pull image docker.io/istio/x:1 (ErrImagePull): Docker Hub rate limit reached")
	require.Contains(t, got[2], "pod bookinfo/pending: cannot be scheduled (0/2 nodes are available: 2 Insufficient cpu.)")
	require.Contains(t, got[3], "pod bookinfo/pull: container app cannot pull image docker.io/istio/x:1 (ImagePullBackOff): check the network")
}

func TestMissingSidecars(t *testing.T) {
	mk := func(name string, containers ...string) corev1.Pod {
		p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}}
		for _, c := range containers {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c})
		}
		return p
	}
	native := mk("native", "app")
	native.Spec.InitContainers = []corev1.Container{{Name: "istio-proxy"}}
	optOut := mk("opt-out", "app")
	optOut.Labels = map[string]string{"sidecar.istio.io/inject": "false"}
	done := mk("job", "app")
	done.Status.Phase = corev1.PodSucceeded
	got := MissingSidecars([]corev1.Pod{mk("injected", "app", "istio-proxy"), native, mk("bare", "app"), optOut, done})
	require.Len(t, got, 1)
	require.Equal(t, "bare", got[0].Name)
}
