package cluster

import (
	"context"

	"github.com/labctl/labctl/internal/state"
)

// Problem is a part of the cluster itself that is down: a control-plane
// process that exited, a node that is not Ready.
type Problem struct {
	// Component is the process or node (kube-apiserver, kwok-controller, node/kwok-lab-0).
	Component string `json:"component"`
	Message   string `json:"message"`
	// Log is the file that says why, when there is one.
	Log string `json:"log,omitempty"`
}

func (p Problem) String() string {
	s := p.Component + ": " + p.Message
	if p.Log != "" {
		s += " (log: " + p.Log + ")"
	}
	return s
}

// HealthChecker is implemented by providers that run the cluster's own
// processes (kwok) and can tell at once when one of them is down, before
// anything waits on a workload that cannot become ready.
type HealthChecker interface {
	Health(ctx context.Context, env *state.Environment) ([]Problem, error)
}
