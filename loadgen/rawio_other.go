//go:build !linux

package loadgen

import (
	"io"
	"net"
)

// newRawIO returns conn: raw socket calls are used on Linux only.
func newRawIO(conn net.Conn) io.ReadWriter { return conn }
