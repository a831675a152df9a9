package testenv

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Socket is a listening TCP socket (or a bound UDP socket) of a process.
type Socket struct {
	PID   int
	Proto string // tcp, tcp6, udp, udp6
	Addr  net.IP
	Port  int
}

func (s Socket) String() string {
	return fmt.Sprintf("pid %d %s %s", s.PID, s.Proto, net.JoinHostPort(s.Addr.String(), strconv.Itoa(s.Port)))
}

// Loopback reports whether only this machine can reach the socket.
func (s Socket) Loopback() bool { return s.Addr.IsLoopback() }

// tcpListen and udpBound are the socket states in /proc/net/{tcp,udp}
// (include/net/tcp_states.h): TCP_LISTEN, and TCP_CLOSE for an unconnected UDP socket.
const (
	tcpListen = "0A"
	udpBound  = "07"
)

// ListeningSockets lists the sockets the processes pids listen on (TCP) or
// are bound to without a peer (UDP), from Linux's procfs: the socket inodes
// among /proc/<pid>/fd, matched against /proc/<pid>/net/{tcp,tcp6,udp,udp6}.
// A process that has exited is an error: the caller expects it running.
func ListeningSockets(pids []int) ([]Socket, error) {
	var out []Socket
	for _, pid := range pids {
		inodes, err := socketInodes(pid)
		if err != nil {
			return nil, err
		}
		for _, proto := range []string{"tcp", "tcp6", "udp", "udp6"} {
			state := tcpListen
			if strings.HasPrefix(proto, "udp") {
				state = udpBound
			}
			socks, err := readSocketTable(filepath.Join("/proc", strconv.Itoa(pid), "net", proto), state)
			if err != nil {
				return nil, err
			}
			for inode, s := range socks {
				if inodes[inode] {
					s.PID, s.Proto = pid, proto
					out = append(out, s)
				}
			}
		}
	}
	return out, nil
}

// socketInodes returns the inodes of the sockets among pid's open files.
func socketInodes(pid int) (map[string]bool, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("listing open files of pid %d: %w", pid, err)
	}
	out := map[string]bool{}
	for _, e := range entries {
		link, err := os.Readlink(filepath.Join(dir, e.Name()))
		if errors.Is(err, os.ErrNotExist) {
			continue // closed meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, e.Name()), err)
		}
		if inode, ok := strings.CutPrefix(link, "socket:["); ok {
			out[strings.TrimSuffix(inode, "]")] = true
		}
	}
	return out, nil
}

// readSocketTable parses a /proc/net/{tcp,udp}[6] table into the sockets
// in state, by inode.
func readSocketTable(path, state string) (map[string]Socket, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // e.g. no IPv6
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]Socket{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != state {
			continue
		}
		ip, port, err := parseProcAddr(fields[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out[fields[9]] = Socket{Addr: ip, Port: port}
	}
	return out, sc.Err()
}

// parseProcAddr decodes "0100007F:1F90": the address as 32-bit words in
// host (little-endian) byte order, the port in hex.
func parseProcAddr(s string) (net.IP, int, error) {
	host, port, ok := strings.Cut(s, ":")
	if !ok {
		return nil, 0, fmt.Errorf("address %q has no port", s)
	}
	b, err := hex.DecodeString(host)
	if err != nil || (len(b) != 4 && len(b) != 16) {
		return nil, 0, fmt.Errorf("address %q is not hex IPv4 or IPv6", s)
	}
	for i := 0; i < len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	p, err := strconv.ParseUint(port, 16, 16)
	if err != nil {
		return nil, 0, fmt.Errorf("port of %q: %w", s, err)
	}
	return net.IP(b), int(p), nil
}
