package preflight

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Port checking limits.
const (
	// PortDialTimeout bounds the connect probe used when labctl may not bind
	// a port itself (ports below 1024 as a normal user).
	PortDialTimeout = 300 * time.Millisecond
	// PortSearchSpan is how far above a taken port free ports are looked for.
	PortSearchSpan = 200
	// PortListenAddress is where kind publishes the ingress ports.
	PortListenAddress = "127.0.0.1"
)

// Port is a host port the environment wants to publish.
type Port struct {
	// Name is what the port is for, e.g. "http".
	Name string
	// Number is the port; 0 is skipped.
	Number int
	// SetPath is the --set path that changes it, e.g. "cluster.ports.http".
	SetPath string
}

// Prober says whether host ports are free; tests fake it.
type Prober interface {
	// Free reports whether 127.0.0.1:port can be published. An error
	// means the answer is unknown.
	Free(port int) (bool, error)
}

// LocalProber probes 127.0.0.1 by listening there; when labctl may not bind
// the port itself (EACCES below 1024) it connects instead: a listener that
// answers means taken.
type LocalProber struct{}

// Free implements Prober.
func (LocalProber) Free(port int) (bool, error) {
	addr := net.JoinHostPort(PortListenAddress, strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if err == nil {
		return true, l.Close()
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return false, nil
	}
	if !errors.Is(err, syscall.EACCES) {
		return false, err
	}
	c, derr := net.DialTimeout("tcp", addr, PortDialTimeout)
	if derr == nil {
		closeQuietly(c)
		return false, nil
	}
	return true, nil
}

func closeQuietly(c io.Closer) { _ = c.Close() }

// Ports checks that every port is valid, distinct and free on 127.0.0.1.
// For a taken port it suggests the next free one and the flag that selects
// it.
func Ports(ports []Port, p Prober) Report {
	var rep Report
	used := map[int]string{}
	for _, pt := range ports {
		if pt.Number == 0 {
			continue
		}
		if pt.Number < 1 || pt.Number > 65535 {
			rep = append(rep, Finding{
				Check: CheckPorts, Severity: Error,
				Problem: fmt.Sprintf("%s port %d is not a valid port", pt.Name, pt.Number),
				Fix:     fmt.Sprintf("pick one in 1024-65535: `labctl up --set %s=N`", pt.SetPath),
			})
			continue
		}
		if other, dup := used[pt.Number]; dup {
			rep = append(rep, Finding{
				Check: CheckPorts, Severity: Error,
				Problem: fmt.Sprintf("%s and %s both ask for host port %d", other, pt.Name, pt.Number),
				Fix:     fmt.Sprintf("give them different ports: `labctl up --set %s=N`", pt.SetPath),
			})
			continue
		}
		used[pt.Number] = pt.Name
	}
	if len(rep) > 0 {
		return rep
	}
	// reserved keeps two suggestions (or a suggestion and a requested
	// port) from colliding.
	reserved := map[int]bool{}
	for n := range used {
		reserved[n] = true
	}
	for _, pt := range ports {
		if pt.Number == 0 {
			continue
		}
		free, err := p.Free(pt.Number)
		if err != nil {
			rep = append(rep, Finding{
				Check: CheckPorts, Severity: Warning,
				Problem: fmt.Sprintf("could not check %s port %d on %s: %v", pt.Name, pt.Number, PortListenAddress, err),
			})
			continue
		}
		if free {
			continue
		}
		f := Finding{
			Check: CheckPorts, Severity: Error,
			Problem: fmt.Sprintf("host port %d (%s) on %s is already in use", pt.Number, pt.Name, PortListenAddress),
		}
		fixes := []string{fmt.Sprintf("see who holds it: `sudo ss -ltnp 'sport = :%d'` (or `lsof -nP -iTCP:%d -sTCP:LISTEN`) and stop it", pt.Number, pt.Number)}
		if alt := nextFree(pt.Number, reserved, p); alt != 0 {
			reserved[alt] = true
			fixes = append(fixes, fmt.Sprintf("or use the free port %d: `labctl up --set %s=%d`", alt, pt.SetPath, alt))
		} else {
			fixes = append(fixes, fmt.Sprintf("or pick another port: `labctl up --set %s=N`", pt.SetPath))
		}
		f.Fix = strings.Join(fixes, "\n")
		rep = append(rep, f)
	}
	return rep
}

// nextFree returns the first free port above n that is not reserved, or 0.
func nextFree(n int, reserved map[int]bool, p Prober) int {
	for c := n + 1; c <= n+PortSearchSpan && c <= 65535; c++ {
		if reserved[c] {
			continue
		}
		if free, err := p.Free(c); err == nil && free {
			return c
		}
	}
	return 0
}
