package loadgen

import (
	"context"
	"fmt"
	"net/http"
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

// newFetcher makes the client for one connection: labctl's HTTP/1.1
// client (h1Client), or fortio's standard client for h2c.
func newFetcher(o *Options, id int, withBody bool) (fetcher, error) {
	if o.H2C {
		ho, err := httpOptions(o)
		if err != nil {
			return nil, err
		}
		ho.ID = id
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
	return newH1Client(o, withBody)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

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
