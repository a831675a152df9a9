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
