package provision

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/labctl/labctl/internal/kube"
	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks/cluster"
)

type healthProvider struct {
	startingProvider
	probs []cluster.Problem
}

func (h *healthProvider) Health(context.Context, *state.Environment) ([]cluster.Problem, error) {
	return h.probs, nil
}

func TestClusterProblems(t *testing.T) {
	node := func(name string, st corev1.ConditionStatus) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{
			{Type: corev1.NodeReady, Status: st, Reason: "KubeletStopped", Message: "no heartbeat"}}}}
	}
	hp := &healthProvider{probs: []cluster.Problem{{Component: "kwok-controller", Message: "process 42 exited", Log: "/c/logs/kwok-controller.log"}}}
	p := &Provisioner{Providers: map[string]cluster.Provider{"kwok": hp}}
	env := &state.Environment{Name: "lab", Provider: "kwok"}
	c := &kube.Clients{Kube: fake.NewClientset(node("ok", corev1.ConditionTrue), node("gone", corev1.ConditionUnknown))}

	got := p.clusterProblems(context.Background(), env, c)
	var lines []string
	for _, pr := range got {
		lines = append(lines, pr.String())
	}
	text := strings.Join(lines, "\n")
	assert.Len(t, got, 2, text)
	assert.Contains(t, text, "kwok-controller: process 42 exited: run `labctl up --name lab` to restart it (log: /c/logs/kwok-controller.log)")
	assert.Contains(t, text, "node/gone: NotReady")
	assert.Contains(t, text, "KubeletStopped no heartbeat")
	assert.NotContains(t, text, "node/ok")

	assert.Len(t, p.clusterProblems(context.Background(), env, nil), 1, "unreachable cluster: the processes still count")
}
