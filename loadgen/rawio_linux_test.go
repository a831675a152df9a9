package loadgen

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawPair connects a rawIO client to a real server on 127.0.0.1 that runs
// serve on its side of the connection.
func rawPair(t *testing.T, serve func(c *net.TCPConn)) (net.Conn, io.ReadWriter) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer func() { _ = c.Close() }()
		serve(c.(*net.TCPConn))
	}()
	t.Cleanup(func() { <-done })
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	rw := newRawIO(conn)
	require.IsType(t, &rawIO{}, rw, "a TCP connection gets raw calls")
	return conn, rw
}

func TestRawIO(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB: more than the socket buffers hold
	tests := []struct {
		name  string
		serve func(c *net.TCPConn)
		check func(t *testing.T, conn net.Conn, rw io.ReadWriter)
	}{
		{"a write larger than the socket buffer arrives whole",
			func(c *net.TCPConn) {
				time.Sleep(20 * time.Millisecond) // let the client's buffer fill first
				n, _ := io.CopyN(io.Discard, c, int64(len(big)))
				_, _ = c.Write([]byte(strconv.FormatInt(n, 10)))
			},
			func(t *testing.T, _ net.Conn, rw io.ReadWriter) {
				n, err := rw.Write(big)
				require.NoError(t, err)
				assert.Equal(t, len(big), n)
				got, err := io.ReadAll(io.LimitReader(rw, 20))
				require.NoError(t, err)
				assert.Equal(t, strconv.Itoa(len(big)), string(got))
			}},
		{"the peer's close reads as EOF after its data",
			func(c *net.TCPConn) { _, _ = c.Write([]byte("bye")) },
			func(t *testing.T, _ net.Conn, rw io.ReadWriter) {
				got, err := io.ReadAll(rw)
				require.NoError(t, err, "io.ReadAll stops at io.EOF")
				assert.Equal(t, "bye", string(got))
			}},
		{"a read deadline ends a read that waits",
			func(c *net.TCPConn) { _, _ = c.Read(make([]byte, 1)) }, // until the client closes
			func(t *testing.T, conn net.Conn, rw io.ReadWriter) {
				require.NoError(t, conn.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
				_, err := rw.Read(make([]byte, 10))
				require.Error(t, err)
				assert.True(t, isTimeout(err), "timeout error, got %v", err)
				_ = conn.Close()
			}},
		{"a deadline in the past (cancellation) wakes a waiting read",
			func(c *net.TCPConn) { _, _ = c.Read(make([]byte, 1)) },
			func(t *testing.T, conn net.Conn, rw io.ReadWriter) {
				time.AfterFunc(20*time.Millisecond, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
				_, err := rw.Read(make([]byte, 10))
				assert.True(t, isTimeout(err), "timeout error, got %v", err)
				_ = conn.Close()
			}},
		{"a reset is an error, not a timeout, and not EOF",
			func(c *net.TCPConn) {
				_ = c.SetLinger(0) // close sends RST
				_, _ = c.Read(make([]byte, 1))
			},
			func(t *testing.T, _ net.Conn, rw io.ReadWriter) {
				_, err := rw.Write([]byte("x"))
				require.NoError(t, err)
				_, err = rw.Read(make([]byte, 10))
				require.Error(t, err)
				assert.True(t, errors.Is(err, syscall.ECONNRESET), "ECONNRESET, got %v", err)
				assert.False(t, isTimeout(err))
			}},
		{"writing to a peer that reset fails with EPIPE or ECONNRESET",
			func(c *net.TCPConn) {
				_, _ = c.Read(make([]byte, 1))
				_ = c.SetLinger(0)
			},
			func(t *testing.T, _ net.Conn, rw io.ReadWriter) {
				_, err := rw.Write([]byte("x"))
				require.NoError(t, err)
				for i := 0; i < 100 && err == nil; i++ { // the first writes may still be accepted
					_, err = rw.Write([]byte("x"))
					time.Sleep(time.Millisecond)
				}
				require.Error(t, err)
				assert.True(t, errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET), "got %v", err)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, rw := rawPair(t, tt.serve)
			tt.check(t, conn, rw)
		})
	}
}

func TestRawIOLeavesOtherConnsAlone(t *testing.T) {
	a, b := net.Pipe()
	defer func() { _ = a.Close(); _ = b.Close() }()
	assert.Equal(t, io.ReadWriter(a), newRawIO(a))
}

func TestRawIODoesNotAllocate(t *testing.T) {
	req := []byte("ping")
	_, rw := rawPair(t, func(c *net.TCPConn) {
		buf := make([]byte, len(req))
		for {
			if _, err := io.ReadFull(c, buf); err != nil {
				return
			}
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	})
	buf := make([]byte, len(req))
	allocs := testing.AllocsPerRun(200, func() {
		_, _ = rw.Write(req)
		_, _ = io.ReadFull(rw, buf)
	})
	assert.Zero(t, allocs, "allocations per request round trip")
}

// Under -race, what a server did before answering happens before the
// client's read of the answer, as with net.Conn (the data is ordered by
// the socket; the race detector learns it from rawIO's race-build calls).
// Without them this test fails under -race.
func TestRawIOOrdersIOForTheRaceDetector(t *testing.T) {
	var answered string // written by the server, read by the client, no lock
	_, rw := rawPair(t, func(c *net.TCPConn) {
		buf := make([]byte, 1)
		if _, err := c.Read(buf); err != nil {
			return
		}
		answered = "yes"
		_, _ = c.Write(buf)
	})
	_, err := rw.Write([]byte("?"))
	require.NoError(t, err)
	_, err = io.ReadFull(rw, make([]byte, 1))
	require.NoError(t, err)
	assert.Equal(t, "yes", answered)
}
