package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// KialiSpec asks Kiali one question: an edge exists in the traffic graph
// (optionally all of it mTLS), an app/service/workload has the wanted health,
// or the Istio config of the namespaces has no validation errors.
type KialiSpec struct {
	Namespaces []string `json:"namespaces"`
	// Duration is the graph window, a Kiali duration such as "60s" (default).
	Duration    string       `json:"duration,omitempty"`
	Edge        *KialiEdge   `json:"edge,omitempty"`
	Health      *KialiHealth `json:"health,omitempty"`
	Validations *KialiValid  `json:"validations,omitempty"`
}

// KialiEdge wants traffic from a node matching From to one matching To.
type KialiEdge struct {
	From KialiNode `json:"from"`
	To   KialiNode `json:"to"`
	// MTLS wants every matching edge fully mutual-TLS.
	MTLS bool `json:"mtls,omitempty"`
	// GraphType is Kiali's graph type (default versionedApp);
	// InjectServiceNodes puts service nodes between apps (default false, so
	// app → app edges exist).
	GraphType          string `json:"graphType,omitempty"`
	InjectServiceNodes bool   `json:"injectServiceNodes,omitempty"`
}

// KialiNode matches graph nodes on the fields that are set.
type KialiNode struct {
	Namespace string `json:"namespace,omitempty"`
	App       string `json:"app,omitempty"`
	Version   string `json:"version,omitempty"`
	Workload  string `json:"workload,omitempty"`
	Service   string `json:"service,omitempty"`
}

// KialiHealth wants Kiali's health status of an app, service or workload.
type KialiHealth struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Type is app (default), service or workload.
	Type string `json:"type,omitempty"`
	// Status is Healthy (default), Degraded, Failure, "Not Ready" or NA.
	Status string `json:"status,omitempty"`
}

// KialiValid wants at most MaxErrors (default 0) validation errors and, if
// set, at most MaxWarnings warnings in the namespaces.
type KialiValid struct {
	MaxErrors   int  `json:"maxErrors,omitempty"`
	MaxWarnings *int `json:"maxWarnings,omitempty"`
}

func (k *KialiSpec) validate() error {
	n := 0
	for _, set := range []bool{k.Edge != nil, k.Health != nil, k.Validations != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return errors.New("set exactly one of edge, health, validations")
	}
	if k.Health == nil && len(k.Namespaces) == 0 {
		return errors.New("namespaces is required")
	}
	if e := k.Edge; e != nil && (e.From == KialiNode{} || e.To == KialiNode{}) {
		return errors.New("edge needs from and to, each with at least one of namespace, app, version, workload, service")
	}
	if h := k.Health; h != nil {
		if h.Namespace == "" || h.Name == "" {
			return errors.New("health needs namespace and name")
		}
		switch h.Type {
		case "", "app", "service", "workload":
		default:
			return fmt.Errorf("health.type %q: use app, service or workload", h.Type)
		}
	}
	return nil
}

type kialiProber struct {
	spec *KialiSpec
	env  *Env
}

func newKialiProber(k *KialiSpec, env *Env) (prober, error) {
	if env.Kiali == nil {
		return nil, errMissing("Kiali", "pass --kiali-url (e.g. http://127.0.0.1:20001/kiali from a port-forward to kiali.istio-system:20001)")
	}
	return kialiProber{spec: k, env: env}, nil
}

func (p kialiProber) probe(ctx context.Context) (attempt, error) {
	ctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	base, err := p.env.Kiali(ctx)
	if err != nil {
		return attempt{}, fmt.Errorf("reaching Kiali: %w", err)
	}
	switch {
	case p.spec.Edge != nil:
		return p.edge(ctx, base)
	case p.spec.Health != nil:
		return p.health(ctx, base)
	}
	return p.validations(ctx, base)
}

// getJSON fetches base+path?query and decodes the JSON body into v.
func getJSON(ctx context.Context, c *http.Client, base, path string, query url.Values, v any) error {
	u := strings.TrimRight(base, "/") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return permanent(fmt.Errorf("building request for %s: %w", u, err))
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("GET %s: reading the body: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d: %s", u, resp.StatusCode, truncate(strings.TrimSpace(string(body)), 200))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: the response is not the expected JSON: %w", u, err)
	}
	return nil
}
