package kwok

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// Port allocation. kwokctl picks a cluster's ports itself by counting
// down from 32767 and taking the first one nothing listens on, so two
// clusters started at the same time (by two labctl processes, or by tests)
// get the same ports: one talks to the other's API server and fails with
// an x509 error. The provider instead asks the kernel for free ports and
// holds a machine-wide lock from the choice until kwokctl's processes
// listen on them.
const (
	// PortLockTimeout bounds the wait for another start to finish.
	PortLockTimeout = CreateTimeout + time.Minute
	portLockPoll    = 100 * time.Millisecond
)

// PortLockPath is the machine-wide lock file, the same for every cache
// directory and user.
func PortLockPath() string { return filepath.Join(os.TempDir(), "labctl-kwok-ports.lock") }

// lockPorts takes the machine-wide port lock, waiting at most timeout for
// another process's start to end. The kernel releases it if labctl dies.
func lockPorts(ctx context.Context, path string, timeout time.Duration) (func(), error) {
	return waitPortLock(ctx, path, timeout, nil)
}

// waitPortLock is lockPorts; busy (when not nil) is called each time the
// lock is found held by another, so tests can release it while it waits.
func waitPortLock(ctx context.Context, path string, timeout time.Duration, busy func()) (func(), error) {
	// Readable by all: flock needs only a read-only descriptor, and another
	// user's labctl must be able to take the same lock.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the port lock %s: %w", path, err)
	}
	err = wait.PollUntilContextTimeout(ctx, portLockPoll, timeout, true, func(context.Context) (bool, error) {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if busy != nil {
				busy()
			}
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		f.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for the port lock %s: %w", path, context.Cause(ctx))
		}
		return nil, fmt.Errorf("another simulated cluster has been starting for over %s (port lock %s): %w; wait for it, or stop it", timeout, path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// freePorts asks the kernel for n distinct free TCP ports on BindAddress.
// All listeners stay open until every port is chosen, so none repeats.
func freePorts(n int) ([]uint32, error) {
	out := make([]uint32, 0, n)
	for range n {
		l, err := net.Listen("tcp", net.JoinHostPort(BindAddress, "0"))
		if err != nil {
			return nil, fmt.Errorf("finding a free port on %s: %w", BindAddress, err)
		}
		defer l.Close()
		out = append(out, uint32(l.Addr().(*net.TCPAddr).Port))
	}
	return out, nil
}

// allocatePorts gives every port of a cluster a free one.
func allocatePorts() (Ports, error) {
	p, err := freePorts(6)
	if err != nil {
		return Ports{}, err
	}
	return Ports{
		EtcdPeerPort: p[0], EtcdPort: p[1], KubeApiserverPort: p[2],
		KubeControllerManagerPort: p[3], KubeSchedulerPort: p[4], KwokControllerPort: p[5],
	}, nil
}
