package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"fortio.org/fortio/fhttp"
)

// Bounds of what h1Client reads from one response.
const (
	// h1BufferSize is the read buffer of a connection; it also bounds one
	// status or header line and one chunk-size line.
	h1BufferSize = 32 << 10
	// maxHeaderBytes bounds a response head.
	maxHeaderBytes = 1 << 20
	// MaxClassifiedBody is how much of a body a classifier sees; the rest is
	// read and discarded.
	MaxClassifiedBody = 1 << 20
)

var errMalformed = errors.New("malformed HTTP response")

// h1Client is one keep-alive HTTP/1.1 connection. The request bytes are
// built once. A response body of any size and framing (Content-Length,
// chunked, until close) is read through a fixed buffer, every read is
// bounded by the request's deadline, and cancelling the run's context
// interrupts a blocked read or write. (fortio's fast client keeps a whole
// response in one fixed buffer and spins, ignoring its deadline, on a
// chunked body larger than that buffer.)
type h1Client struct {
	addr     string
	tls      *tls.Config // nil for http://
	req      []byte
	head     bool // HEAD: responses have no body
	timeout  time.Duration
	withBody bool // keep header and body for classification

	conn   net.Conn
	rw     io.ReadWriter // conn, or its socket through raw calls (rawio_linux.go)
	br     *bufio.Reader
	stop   func() bool // ends the context watch of conn
	opened int64
	header http.Header
	body   []byte
}

// newH1Client prepares the client for o (validated by Options.normalize).
func newH1Client(o *Options, withBody bool) (*h1Client, error) {
	u, err := url.Parse(o.URL)
	if err != nil {
		return nil, fmt.Errorf("target URL %q: %w", o.URL, err)
	}
	addr, err := dialAddr(o.URL)
	if err != nil {
		return nil, err
	}
	c := &h1Client{addr: addr, req: buildRequest(o, u), head: o.method() == http.MethodHead,
		timeout: o.Timeout, withBody: withBody, header: http.Header{}}
	if u.Scheme == "https" {
		c.tls = &tls.Config{ServerName: u.Hostname(), NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12}
	}
	return c, nil
}

// buildRequest serialises the request once: request line, Host, User-Agent,
// the extra headers in a stable order, Content-Length and the body.
func buildRequest(o *Options, u *url.URL) []byte {
	var b bytes.Buffer
	host := o.Host
	if host == "" {
		host = u.Host
	}
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n", o.method(), u.RequestURI(), host, userAgent)
	names := make([]string, 0, len(o.Header))
	for name := range o.Header {
		switch http.CanonicalHeaderKey(name) {
		case "Host", "User-Agent", "Content-Length":
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range o.Header[name] {
			fmt.Fprintf(&b, "%s: %s\r\n", http.CanonicalHeaderKey(name), v)
		}
	}
	if u.User != nil && o.Header.Get("Authorization") == "" {
		// Credentials in the URL, as curl and net/http send them.
		pw, _ := u.User.Password()
		fmt.Fprintf(&b, "Authorization: Basic %s\r\n", base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw)))
	}
	if len(o.Body) > 0 || o.method() == http.MethodPost || o.method() == http.MethodPut {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(o.Body))
	}
	b.WriteString("\r\n")
	b.Write(o.Body)
	return b.Bytes()
}

// fetch sends the request and reads the whole response. code is
// fhttp.SocketError when no complete response arrived within the timeout.
func (c *h1Client) fetch(ctx context.Context) (int, int64, http.Header, []byte) {
	reused := c.conn != nil
	code, size, err := c.roundTrip(ctx)
	if err != nil && reused && size == 0 && ctx.Err() == nil && !isTimeout(err) {
		// The server may close an idle keep-alive connection at any time:
		// one retry on a fresh connection.
		c.closeConn()
		code, size, err = c.roundTrip(ctx)
	}
	if err != nil {
		c.closeConn()
		return fhttp.SocketError, size, nil, nil
	}
	if !c.withBody {
		return code, size, nil, nil
	}
	return code, size, c.header, c.body
}

func (c *h1Client) roundTrip(ctx context.Context) (int, int64, error) {
	deadline := time.Now().Add(c.timeout)
	if c.conn == nil {
		if err := c.dial(ctx, deadline); err != nil {
			return 0, 0, err
		}
	}
	if err := c.conn.SetDeadline(deadline); err != nil {
		return 0, 0, err
	}
	if err := ctx.Err(); err != nil { // cancelled before the deadline was set
		return 0, 0, err
	}
	if _, err := c.rw.Write(c.req); err != nil {
		return 0, 0, err
	}
	return c.readResponse()
}

func (c *h1Client) dial(ctx context.Context, deadline time.Time) error {
	d := net.Dialer{Deadline: deadline}
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return err
	}
	if c.tls != nil {
		tc := tls.Client(conn, c.tls)
		hctx, cancel := context.WithDeadline(ctx, deadline)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			_ = conn.Close()
			return err
		}
		conn = tc
	}
	c.opened++
	c.conn = conn
	c.rw = newRawIO(conn) // conn itself under TLS
	if c.br == nil {
		c.br = bufio.NewReaderSize(c.rw, h1BufferSize)
	} else {
		c.br.Reset(c.rw)
	}
	// Cancelling the run unblocks a read or write at once.
	c.stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	return nil
}

func (c *h1Client) closeConn() {
	if c.conn == nil {
		return
	}
	c.stop()
	_ = c.conn.Close()
	c.conn = nil
}

// readResponse reads one response; size counts every byte of it.
func (c *h1Client) readResponse() (int, int64, error) {
	var size int64
	for {
		code, n, closeAfter, framing, length, err := c.readHead()
		size += n
		if err != nil {
			return 0, size, err
		}
		if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
			continue // 100 Continue and friends: the real response follows
		}
		if c.head || code == http.StatusNoContent || code == http.StatusNotModified {
			framing, length = framingLength, 0
		}
		c.body = c.body[:0]
		n, err = c.readBody(framing, length)
		size += n
		if err != nil {
			return 0, size, err
		}
		if closeAfter || framing == framingEOF {
			c.closeConn()
		}
		return code, size, nil
	}
}

// Body framings.
const (
	framingLength = iota
	framingChunked
	framingEOF
)

// readHead reads the status line and headers.
func (c *h1Client) readHead() (code int, size int64, closeAfter bool, framing int, length int64, err error) {
	line, err := c.br.ReadSlice('\n')
	size += int64(len(line))
	if err != nil {
		return 0, size, false, 0, 0, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, size, false, 0, 0, errMalformed
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return 0, size, false, 0, 0, errMalformed
		}
		code = code*10 + int(d-'0')
	}
	if code < 100 {
		return 0, size, false, 0, 0, errMalformed
	}
	closeAfter = line[7] == '0' // HTTP/1.0 closes unless told otherwise; good enough for a load generator
	framing = framingEOF
	if c.withBody {
		clear(c.header)
	}
	for {
		line, err = c.br.ReadSlice('\n')
		size += int64(len(line))
		if err != nil {
			return 0, size, false, 0, 0, err
		}
		if size > maxHeaderBytes {
			return 0, size, false, 0, 0, fmt.Errorf("%w: response head over %d bytes", errMalformed, maxHeaderBytes)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			return code, size, closeAfter, framing, length, nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseUint(value, 10)
			if !ok {
				return 0, size, false, 0, 0, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
			if framing != framingChunked {
				framing, length = framingLength, n
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if containsFold(value, "chunked") {
				framing = framingChunked
			}
		case bytes.EqualFold(name, []byte("Connection")):
			if containsFold(value, "close") {
				closeAfter = true
			} else if containsFold(value, "keep-alive") {
				closeAfter = false
			}
		}
		if c.withBody {
			c.header.Add(string(name), string(value))
		}
	}
}

// containsFold reports whether b contains the lower-case ASCII word s in
// any case, without allocating.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if bytes.EqualFold(b[i:i+len(s)], []byte(s)) {
			return true
		}
	}
	return false
}

// parseUint reads a non-negative integer in base 10 or 16 without
// allocating; false when b is empty, has other characters or overflows.
func parseUint(b []byte, base int64) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		var d int64
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = int64(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = int64(c-'A') + 10
		default:
			return 0, false
		}
		n = n*base + d
	}
	return n, true
}

// readBody consumes the body, keeping up to MaxClassifiedBody of it when
// classifying.
func (c *h1Client) readBody(framing int, length int64) (int64, error) {
	switch framing {
	case framingLength:
		return c.consume(length)
	case framingEOF:
		var total int64
		for {
			n, err := c.consume(h1BufferSize)
			total += n
			if errors.Is(err, io.EOF) {
				return total, nil
			}
			if err != nil {
				return total, err
			}
		}
	}
	var total int64
	for {
		line, err := c.br.ReadSlice('\n')
		total += int64(len(line))
		if err != nil {
			return total, err
		}
		hex, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, ok := parseUint(bytes.TrimSpace(hex), 16)
		if !ok {
			return total, fmt.Errorf("%w: chunk size %q", errMalformed, hex)
		}
		if n == 0 { // last chunk, then trailers up to an empty line
			for {
				line, err := c.br.ReadSlice('\n')
				total += int64(len(line))
				if err != nil {
					return total, err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return total, nil
				}
			}
		}
		m, err := c.consume(n)
		total += m
		if err != nil {
			return total, err
		}
		crlf, err := c.br.Discard(2)
		total += int64(crlf)
		if err != nil {
			return total, err
		}
	}
}

// consume reads n bytes of body (fewer at EOF, with io.EOF).
func (c *h1Client) consume(n int64) (int64, error) {
	var total int64
	for total < n {
		if c.withBody && len(c.body) < MaxClassifiedBody {
			want := int(min(n-total, int64(MaxClassifiedBody-len(c.body)), h1BufferSize))
			start := len(c.body)
			c.body = slices.Grow(c.body, want)[:start+want]
			k, err := io.ReadFull(c.br, c.body[start:])
			c.body = c.body[:start+k]
			total += int64(k)
			if err != nil {
				return total, unexpected(err)
			}
			continue
		}
		k, err := c.br.Discard(int(min(n-total, h1BufferSize)))
		total += int64(k)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func unexpected(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return io.EOF
	}
	return err
}

func (c *h1Client) sockets() int64 { return c.opened }

func (c *h1Client) close() { c.closeConn() }
