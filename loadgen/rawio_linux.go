package loadgen

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// rawIO reads and writes a plain TCP connection's socket with raw system
// calls. The socket is non-blocking, so a call returns at once; when it
// would block, rawIO waits in the runtime's network poller as net.Conn does,
// honouring the connection's deadlines. What it skips is the scheduler's
// system-call bookkeeping: every ordinary call on a busy fixed-rate run
// wakes the runtime's monitor thread (sysmon), which then polls every 20 µs.
// At 10,000 requests/s that was about 9,000 context switches a second, a
// seventh of labctl's CPU, taken from the target sharing the machine.
// Read and Write share their call state: one goroutine uses a rawIO at a
// time, as h1Client does.
type rawIO struct {
	rc     syscall.RawConn
	p      []byte // the buffer of the call in progress
	n      int
	errno  syscall.Errno
	readF  func(fd uintptr) bool
	writeF func(fd uintptr) bool
}

// newRawIO wraps conn when it is a TCP connection; anything else (TLS)
// is returned as it is.
func newRawIO(conn net.Conn) io.ReadWriter {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return conn
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return conn
	}
	r := &rawIO{rc: rc}
	// The closures are made once: a closure per call would allocate.
	r.readF = func(fd uintptr) bool {
		for {
			n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&r.p[0])), uintptr(len(r.p)))
			if e == syscall.EINTR {
				continue
			}
			r.n, r.errno = int(n), e
			if raceEnabled && e == 0 {
				raceIOSync(fd, true)
			}
			return e != syscall.EAGAIN // false: wait until readable
		}
	}
	r.writeF = func(fd uintptr) bool {
		if raceEnabled {
			raceIOSync(fd, false)
		}
		for {
			// MSG_NOSIGNAL: a closed peer gives EPIPE, not SIGPIPE.
			n, _, e := syscall.RawSyscall6(syscall.SYS_SENDTO, fd, uintptr(unsafe.Pointer(&r.p[0])), uintptr(len(r.p)),
				syscall.MSG_NOSIGNAL, 0, 0)
			if e == syscall.EINTR {
				continue
			}
			r.n, r.errno = int(n), e
			return e != syscall.EAGAIN // false: wait until writable
		}
	}
	return r
}

// Read reads at most len(p) bytes; io.EOF when the peer closed.
func (r *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.p = p
	err := r.rc.Read(r.readF)
	r.p = nil
	switch {
	case err != nil: // deadline passed or connection closed
		return 0, err
	case r.errno != 0:
		return 0, os.NewSyscallError("read", r.errno)
	case r.n == 0:
		return 0, io.EOF
	}
	return r.n, nil
}

// Write writes all of p, waiting for room in the socket buffer as needed.
func (r *rawIO) Write(p []byte) (int, error) {
	total := 0
	for total < len(p) {
		r.p = p[total:]
		err := r.rc.Write(r.writeF)
		r.p = nil
		switch {
		case err != nil:
			return total, err
		case r.errno != 0:
			return total, os.NewSyscallError("write", r.errno)
		}
		total += r.n
	}
	return total, nil
}
