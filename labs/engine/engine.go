package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/labs"
	"github.com/labctl/labctl/verify"
)

// FieldManager is the server-side apply field manager of lab objects.
const FieldManager = "labctl-lab"

// Named timeouts.
const (
	// DefaultWaitTimeout bounds wait and rollout actions that set none.
	DefaultWaitTimeout = 2 * time.Minute
	// FailBeforeTimeout bounds one run of a step's checks that are expected
	// to fail (labctl test before a solution): one attempt, no retries.
	FailBeforeTimeout = 3 * time.Second
	// waitInterval is how often waits poll.
	waitInterval = 250 * time.Millisecond
)

// Cluster is the engine's access to the environment's cluster.
type Cluster struct {
	Kube    kubernetes.Interface
	Dynamic dynamic.Interface
	// Mapper turns kinds into resources; it should re-discover on an
	// unknown kind (a CRD the lab installed).
	Mapper meta.RESTMapper
	// Exec runs commands in pods (exec actions); nil when not possible.
	Exec verify.Executor
}

// TrafficFunc sets the environment's background traffic (labctl traffic).
type TrafficFunc func(ctx context.Context, envName string, on bool, rate float64) (*state.Traffic, error)

// ChecksEnvFunc builds the verify.Env checks run in.
type ChecksEnvFunc func(ctx context.Context, env *state.Environment, specs []verify.Spec) (verify.Env, error)

// Revisions installs and removes Istio control-plane revisions next to
// the environment's own istiod, for istioRevision actions (labctl's
// provisioner: Helm releases istiod-<revision>). Installing an installed
// revision with the same settings does nothing; removing a missing one is
// fine.
type Revisions interface {
	InstallRevision(ctx context.Context, envName string, a labs.IstioRevisionAction) error
	RemoveRevision(ctx context.Context, envName, revision string) error
}

// Catalog finds labs by id.
type Catalog interface {
	Get(id string) (*labs.Lab, error)
}

// Engine runs labs in one environment. All fields but Now and Load are
// required, except Traffic for labs without traffic actions and Revisions
// for labs without istioRevision actions. Load nil runs
// load actions with RunLoad (labctl's load generator).
type Engine struct {
	Store *state.Store
	// EnvName is the environment (labctl --name).
	EnvName string
	Catalog Catalog
	// Cluster connects to the environment's cluster (once per operation).
	Cluster   func(ctx context.Context, env *state.Environment) (*Cluster, error)
	Traffic   TrafficFunc
	Revisions Revisions
	Load      LoadFunc
	ChecksEnv ChecksEnvFunc
	Now       func() time.Time
}

// NeedsRealClusterError: the lab cannot run on the environment's simulated
// cluster (its spec.needsRealCluster says why).
type NeedsRealClusterError struct{ Lab, Env, Reason string }

func (e *NeedsRealClusterError) Error() string {
	return fmt.Sprintf("lab %s needs a real cluster, and environment %q is simulated: %s (run it on kind: `labctl up --provider kind`)", e.Lab, e.Env, e.Reason)
}

// Errors callers tell apart.
var (
	// ErrNoActiveLab: the operation needs a started lab.
	ErrNoActiveLab = errors.New("no lab is active")
	// ErrOtherLabActive: start was refused because another lab is active.
	ErrOtherLabActive = errors.New("another lab is active")
	// ErrEnvMismatch: the environment does not have the lab's stack or mode.
	ErrEnvMismatch = errors.New("environment does not match the lab")
)

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

// session is what one operation works with.
type session struct {
	e   *Engine
	env *state.Environment
	lab *labs.Lab
	// pre are the lab's prerequisites, in replay order.
	pre []*labs.Lab
	c   *Cluster
}

// open loads the environment record and, when a lab is active, the lab;
// connect also connects to the cluster.
func (e *Engine) open(ctx context.Context, needLab, connect bool) (*session, error) {
	env, err := e.Store.Load(e.EnvName)
	if err != nil {
		return nil, err
	}
	s := &session{e: e, env: env}
	if needLab {
		if env.Lab == nil {
			return nil, fmt.Errorf("%w in environment %q: start one with `labctl lab start ID` (labctl lab list shows them)", ErrNoActiveLab, e.EnvName)
		}
		l, err := e.Catalog.Get(env.Lab.Lab)
		if err != nil {
			return nil, fmt.Errorf("the active lab %s: %w", env.Lab.Lab, err)
		}
		s.lab = l
		if s.pre, err = prerequisites(e.Catalog, l); err != nil {
			return nil, fmt.Errorf("the active lab %s: %w", env.Lab.Lab, err)
		}
	}
	if connect {
		if err := s.connect(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *session) connect(ctx context.Context) error {
	if s.c != nil {
		return nil
	}
	c, err := s.e.Cluster(ctx, s.env)
	if err != nil {
		return fmt.Errorf("connecting to environment %q: %w", s.env.Name, err)
	}
	s.c = c
	return nil
}

// update changes the progress under the environment's lock and keeps the
// session's copy current.
func (s *session) update(fn func(p *state.LabProgress) error) error {
	env, err := s.e.Store.Modify(s.env.Name, func(env *state.Environment) error {
		if env.Lab == nil {
			return fmt.Errorf("%w in environment %q (it was stopped meanwhile)", ErrNoActiveLab, env.Name)
		}
		if err := fn(env.Lab); err != nil {
			return err
		}
		env.Lab.UpdatedAt = s.e.now()
		return nil
	})
	if err != nil {
		return err
	}
	s.env = env
	return nil
}

// runChecks runs specs in the environment.
func (s *session) runChecks(ctx context.Context, specs []verify.Spec) (verify.Report, error) {
	if len(specs) == 0 {
		return verify.Report{Passed: true, Results: []verify.Result{}}, nil
	}
	venv, err := s.e.ChecksEnv(ctx, s.env, specs)
	if err != nil {
		return verify.Report{}, err
	}
	return verify.Runner{Env: venv}.Run(ctx, specs), nil
}

// records turns results into progress records.
func records(rep verify.Report, at time.Time) []state.CheckRecord {
	out := make([]state.CheckRecord, 0, len(rep.Results))
	for _, r := range rep.Results {
		out = append(out, state.CheckRecord{Name: r.Name, Type: r.Type, Status: string(r.Status), Reason: r.Reason,
			Observed: r.Observed, Expected: r.Expected, Message: r.Message, Seconds: r.Seconds, At: at})
	}
	return out
}
