package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"sync"

	"fortio.org/fortio/fhttp"
	"fortio.org/log"
)

// userAgent identifies labctl's traffic in access logs.
const userAgent = "labctl-loadgen"

var quietFortio sync.Once

// silenceFortio stops fortio's clients from logging every failed request to
// stderr: failures are counted and reported instead.
func silenceFortio() {
	quietFortio.Do(func() { log.SetLogLevelQuiet(log.Critical) })
}

// fetcher is one connection's client.
type fetcher interface {
	// fetch sends one request. header and body are only filled when the
	// fetcher was created for classification, and are valid until the next
	// call.
	fetch(ctx context.Context) (code int, size int64, header http.Header, body []byte)
	// sockets is the number of connections opened so far.
	sockets() int64
	close()
}

// httpOptions builds fortio's client options from ours.
func httpOptions(o *Options) (*fhttp.HTTPOptions, error) {
	silenceFortio()
	ho := &fhttp.HTTPOptions{
		URL:               o.URL,
		HTTPReqTimeOut:    o.Timeout,
		Payload:           o.Body,
		MethodOverride:    o.method(),
		H2:                o.H2C,
		DisableFastClient: o.H2C,
		NoResolveEachConn: true,
	}
	ho.Init(o.URL)
	if err := ho.AddAndValidateExtraHeader("User-Agent:" + userAgent); err != nil {
		return nil, err
	}
	for name, values := range o.Header {
		if http.CanonicalHeaderKey(name) == "Host" {
			continue
		}
		for _, v := range values {
			if err := ho.AddAndValidateExtraHeader(name + ":" + v); err != nil {
				return nil, fmt.Errorf("header %q: %w", name, err)
			}
		}
	}
	if o.Host != "" {
		if err := ho.AddAndValidateExtraHeader("Host:" + o.Host); err != nil {
			return nil, err
		}
	}
	return ho, nil
}

// newFetcher makes the client for one connection: fortio's fast HTTP/1.1
// client, or its standard client for h2c.
func newFetcher(o *Options, id int, withBody bool) (fetcher, error) {
	ho, err := httpOptions(o)
	if err != nil {
		return nil, err
	}
	ho.ID = id
	if o.H2C {
		sf := &stdFetcher{withBody: withBody}
		ho.Transport = func(base http.RoundTripper) http.RoundTripper {
			return roundTripFunc(func(r *http.Request) (*http.Response, error) {
				resp, err := base.RoundTrip(r)
				if resp != nil {
					sf.header = resp.Header
				}
				return resp, err
			})
		}
		c, err := fhttp.NewStdClient(ho)
		if err != nil {
			return nil, fmt.Errorf("prepare h2c client for %s: %w", o.URL, err)
		}
		sf.c = c
		return sf, nil
	}
	c, err := fhttp.NewFastClient(ho)
	if err != nil {
		return nil, fmt.Errorf("prepare HTTP client for %s (is the host name right?): %w", o.URL, err)
	}
	return &fastFetcher{c: c, withBody: withBody, header: http.Header{}}, nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type fastFetcher struct {
	c        fhttp.Fetcher
	withBody bool
	header   http.Header
}

func (f *fastFetcher) fetch(ctx context.Context) (int, int64, http.Header, []byte) {
	if !f.withBody {
		code, size, _ := f.c.StreamFetch(ctx)
		return code, size, nil, nil
	}
	code, data, hl := f.c.Fetch(ctx)
	if hl <= 0 || hl > len(data) {
		return code, int64(len(data)), nil, data
	}
	clear(f.header)
	parseHeader(f.header, data[:hl])
	body := data[hl:]
	if f.header.Get("Transfer-Encoding") == "chunked" {
		if b, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(body))); err == nil || len(b) > 0 {
			body = b
		}
	}
	return code, int64(len(data)), f.header, body
}

func (f *fastFetcher) sockets() int64 {
	_, h := f.c.GetIPAddress()
	if h == nil {
		return 0
	}
	return h.Count
}

func (f *fastFetcher) close() { f.c.Close() }

// parseHeader fills h from a raw HTTP/1.x response head (status line first).
func parseHeader(h http.Header, raw []byte) {
	first := true
	for line := range bytes.Lines(raw) {
		if first {
			first = false
			continue
		}
		line = bytes.TrimRight(line, "\r\n")
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		h.Add(string(bytes.TrimSpace(name)), string(bytes.TrimSpace(value)))
	}
}

type stdFetcher struct {
	c        *fhttp.Client
	withBody bool
	header   http.Header
}

func (f *stdFetcher) fetch(ctx context.Context) (int, int64, http.Header, []byte) {
	f.header = nil
	if !f.withBody {
		code, size, _ := f.c.StreamFetch(ctx)
		return code, size, f.header, nil
	}
	code, data, _ := f.c.Fetch(ctx)
	return code, int64(len(data)), f.header, data
}

func (f *stdFetcher) sockets() int64 {
	_, h := f.c.GetIPAddress()
	if h == nil {
		return 0
	}
	return h.Count
}

func (f *stdFetcher) close() { f.c.Close() }
