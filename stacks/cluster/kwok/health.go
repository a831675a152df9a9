package kwok

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks/cluster"
)

// RestartTimeout bounds `kwokctl stop cluster` before a restart.
const RestartTimeout = time.Minute

// Health implements cluster.HealthChecker: every process kwokctl recorded
// for the environment must be running. Each one that is not is named with
// its log file.
func (p *Provider) Health(_ context.Context, env *state.Environment) ([]cluster.Problem, error) {
	dir := ClusterDir(p.Workdir(), env.Name)
	out, err := deadProcesses(dir)
	return append(out, istiodProblem(dir)...), err
}

func deadProcesses(dir string) ([]cluster.Problem, error) {
	procs, err := readPIDs(dir)
	if err != nil {
		return nil, err
	}
	var out []cluster.Problem
	for _, pr := range procs {
		if alive(pr.PID) {
			continue
		}
		out = append(out, cluster.Problem{
			Component: pr.Name,
			Message:   fmt.Sprintf("process %d exited", pr.PID),
			Log:       filepath.Join(dir, "logs", pr.Name+".log"),
		})
	}
	return out, nil
}
