package preflight

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Engine is the part of the Docker Engine API (also served by Podman) that
// preflight needs.
type Engine interface {
	// Ping calls GET /_ping.
	Ping(ctx context.Context) error
	// Info calls GET /info.
	Info(ctx context.Context) (*EngineInfo, error)
}

// EngineInfo is the subset of GET /info that preflight reads.
type EngineInfo struct {
	Name            string   `json:"Name"`
	ServerVersion   string   `json:"ServerVersion"`
	OperatingSystem string   `json:"OperatingSystem"`
	NCPU            int      `json:"NCPU"`
	MemTotal        int64    `json:"MemTotal"`
	CgroupVersion   string   `json:"CgroupVersion"`
	CgroupDriver    string   `json:"CgroupDriver"`
	MemoryLimit     bool     `json:"MemoryLimit"`
	PidsLimit       bool     `json:"PidsLimit"`
	CPUShares       bool     `json:"CPUShares"`
	SecurityOptions []string `json:"SecurityOptions"`
}

// Rootless reports whether the engine runs rootless (SecurityOptions has
// "name=rootless").
func (i *EngineInfo) Rootless() bool {
	for _, o := range i.SecurityOptions {
		for _, f := range strings.Split(o, ",") {
			if f == "name=rootless" {
				return true
			}
		}
	}
	return false
}

// DockerDesktop reports whether the engine is Docker Desktop's VM.
func (i *EngineInfo) DockerDesktop() bool {
	return strings.Contains(i.OperatingSystem, "Docker Desktop")
}

// ErrEndpointUnsupported is returned by NewEngine for endpoints labctl does
// not talk to itself (ssh://, npipe://); the checks that need the API are
// skipped for them.
var ErrEndpointUnsupported = errors.New("endpoint not supported by preflight")

// NewEngine returns an Engine client for a unix:// or tcp:// endpoint. TLS
// for tcp:// follows the docker CLI: DOCKER_TLS_VERIFY / DOCKER_CERT_PATH.
func NewEngine(endpoint string, getenv func(string) string) (Engine, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("parsing %q: %w", endpoint, err)
	}
	tr := &http.Transport{DisableKeepAlives: true}
	base := "http://docker"
	switch u.Scheme {
	case "unix":
		path := u.Path
		if path == "" {
			path = u.Opaque
		}
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
	case "tcp", "http", "https":
		scheme := "http"
		if u.Scheme == "https" || getenv("DOCKER_TLS_VERIFY") != "" || getenv("DOCKER_CERT_PATH") != "" {
			scheme = "https"
			tr.TLSClientConfig = dockerTLS(getenv)
		}
		base = scheme + "://" + u.Host
	default:
		return nil, fmt.Errorf("%w: %s", ErrEndpointUnsupported, endpoint)
	}
	return &httpEngine{client: &http.Client{Transport: tr}, base: base}, nil
}

// dockerTLS loads ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH (or
// ~/.docker) when present, like the docker CLI.
func dockerTLS(getenv func(string) string) *tls.Config {
	dir := getenv("DOCKER_CERT_PATH")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".docker")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca, err := os.ReadFile(filepath.Join(dir, "ca.pem")); err == nil {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(ca)
		cfg.RootCAs = pool
	}
	if cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")); err == nil {
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg
}

type httpEngine struct {
	client *http.Client
	base   string
}

func (e *httpEngine) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s answered %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

func (e *httpEngine) Ping(ctx context.Context) error {
	_, err := e.get(ctx, "/_ping")
	return err
}

func (e *httpEngine) Info(ctx context.Context) (*EngineInfo, error) {
	b, err := e.get(ctx, "/info")
	if err != nil {
		return nil, err
	}
	var info EngineInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return nil, fmt.Errorf("decoding GET /info: %w", err)
	}
	return &info, nil
}
