package kwok

import (
	"context"
)

// create runs `kwokctl create cluster` for env, which makes the cluster or
// starts a stopped one. A new cluster gets a configuration with loopback
// only and free ports; a reused one must already be on loopback. The
// machine-wide port lock is held until kwokctl returns, when its processes
// listen: no other start can pick the same ports meanwhile. A nil output
// with an error means kwokctl did not run.
func (p *Provider) create(ctx context.Context, env, kwokctl string, cmdEnv []string, bins Binaries, existed bool) ([]byte, error) {
	workdir := p.Workdir()
	dir := ClusterDir(workdir, env)
	config := ConfigPath(workdir, env)
	if existed {
		if err := checkLoopback(dir, env); err != nil {
			return nil, err
		}
		if err := p.stopIfBroken(ctx, env, kwokctl, cmdEnv); err != nil {
			return nil, err
		}
	}
	unlock, err := lockPorts(ctx, p.portLock, PortLockTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if !existed {
		ports, err := allocatePorts()
		if err != nil {
			return nil, err
		}
		if err := writeConfig(config, ports); err != nil {
			return nil, err
		}
	}
	if err := prepareClusterDir(dir); err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, CreateTimeout)
	defer cancel()
	out, err := p.run(cctx, kwokctl, cmdEnv, createArgs(env, config, bins)...)
	if out == nil {
		out = []byte{}
	}
	return out, err
}

// stopIfBroken stops an existing cluster that lost a process (kwokctl
// would call it "not ready" and start only what is missing, and a process
// that died once, e.g. kwok-controller, then does not come back), naming
// each dead process and its log, so that the create that follows starts
// all of them again.
func (p *Provider) stopIfBroken(ctx context.Context, env, kwokctl string, cmdEnv []string) error {
	dead, err := deadProcesses(ClusterDir(p.Workdir(), env))
	if err != nil || len(dead) == 0 {
		return err
	}
	for _, d := range dead {
		p.warnf("simulated cluster %s: %s; restarting its control plane", ClusterName(env), d)
	}
	sctx, cancel := context.WithTimeout(ctx, RestartTimeout)
	defer cancel()
	out, err := p.run(sctx, kwokctl, cmdEnv, stopArgs(env)...)
	p.logOutput("stop", out)
	if err != nil {
		return kwokctlError("stopping simulated cluster "+ClusterName(env)+" to restart it", err, out, ClusterDir(p.Workdir(), env))
	}
	return nil
}

func (p *Provider) warnf(format string, args ...any) {
	p.opts.Log.Warnf(format, args...)
}
