package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Kiali API shapes (kiali/kiali graph/config/common and models/health.go,
// models/istio_validation.go), reduced to the fields checks read.
type kialiGraph struct {
	Elements struct {
		Nodes []struct {
			Data kialiNodeData `json:"data"`
		} `json:"nodes"`
		Edges []struct {
			Data kialiEdgeData `json:"data"`
		} `json:"edges"`
	} `json:"elements"`
}

type kialiNodeData struct {
	ID        string `json:"id"`
	NodeType  string `json:"nodeType"`
	Namespace string `json:"namespace"`
	App       string `json:"app"`
	Version   string `json:"version"`
	Workload  string `json:"workload"`
	Service   string `json:"service"`
	IsBox     string `json:"isBox"`
}

type kialiEdgeData struct {
	Source string `json:"source"`
	Target string `json:"target"`
	// IsMTLS is the percentage of the edge's traffic using mutual TLS.
	IsMTLS  string `json:"isMTLS"`
	Traffic struct {
		Protocol string            `json:"protocol"`
		Rates    map[string]string `json:"rates"`
	} `json:"traffic"`
}

func (n KialiNode) matches(d kialiNodeData) bool {
	return d.IsBox == "" &&
		(n.Namespace == "" || n.Namespace == d.Namespace) &&
		(n.App == "" || n.App == d.App) &&
		(n.Version == "" || n.Version == d.Version) &&
		(n.Workload == "" || n.Workload == d.Workload) &&
		(n.Service == "" || n.Service == d.Service)
}

func (n KialiNode) String() string {
	var parts []string
	for _, f := range [][2]string{{"namespace", n.Namespace}, {"app", n.App}, {"version", n.Version}, {"workload", n.Workload}, {"service", n.Service}} {
		if f[1] != "" {
			parts = append(parts, f[0]+"="+f[1])
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func (d kialiNodeData) String() string {
	name := d.App
	if name == "" {
		name = d.Workload
	}
	if name == "" {
		name = d.Service
	}
	if d.Version != "" {
		name += " " + d.Version
	}
	return d.Namespace + "/" + name
}

func (p kialiProber) edge(ctx context.Context, base string) (attempt, error) {
	e := p.spec.Edge
	q := url.Values{}
	q.Set("namespaces", strings.Join(p.spec.Namespaces, ","))
	q.Set("graphType", firstNonEmpty(e.GraphType, "versionedApp"))
	q.Set("duration", firstNonEmpty(p.spec.Duration, "60s"))
	q.Set("injectServiceNodes", strconv.FormatBool(e.InjectServiceNodes))
	var g kialiGraph
	if err := getJSON(ctx, p.env.httpClient(), base, "/api/namespaces/graph", q, &g); err != nil {
		return attempt{}, fmt.Errorf("reading the Kiali graph: %w", err)
	}
	a := attempt{expected: fmt.Sprintf("edge %s → %s", e.From, e.To)}
	if e.MTLS {
		a.expected += " with mTLS"
	}
	nodes := map[string]kialiNodeData{}
	for _, n := range g.Elements.Nodes {
		nodes[n.Data.ID] = n.Data
	}
	var found, plain []string
	for _, ed := range g.Elements.Edges {
		src, dst := nodes[ed.Data.Source], nodes[ed.Data.Target]
		if !e.From.matches(src) || !e.To.matches(dst) {
			continue
		}
		mtls, _ := strconv.ParseFloat(ed.Data.IsMTLS, 64)
		desc := fmt.Sprintf("%s → %s (%s, mTLS %s%%)", src, dst, firstNonEmpty(ed.Data.Traffic.Protocol, "no traffic"), firstNonEmpty(ed.Data.IsMTLS, "0"))
		found = append(found, desc)
		if mtls < 100 {
			plain = append(plain, desc)
		}
	}
	sort.Strings(found)
	switch {
	case len(found) == 0:
		a.observed = fmt.Sprintf("%d nodes, %d edges, none matching", len(g.Elements.Nodes), len(g.Elements.Edges))
		a.message = fmt.Sprintf("Kiali's graph of %s (last %s) has no edge %s → %s: is traffic flowing (at least 2 requests in the window) and are both sides in the mesh?",
			strings.Join(p.spec.Namespaces, ","), q.Get("duration"), e.From, e.To)
	case e.MTLS && len(plain) > 0:
		a.observed = strings.Join(firstN(found, 5), "; ")
		a.message = "edges without full mTLS: " + strings.Join(firstN(plain, 3), "; ")
	default:
		a.observed = strings.Join(firstN(found, 5), "; ")
		a.pass = true
	}
	return a, nil
}

// kialiHealthEntry is one app, service or workload health.
type kialiHealthEntry struct {
	Requests struct {
		Inbound map[string]map[string]float64 `json:"inbound"`
	} `json:"requests"`
	Status *struct {
		Status     string  `json:"status"`
		ErrorRatio float64 `json:"errorRatio"`
	} `json:"status"`
	WorkloadStatuses []kialiWorkloadStatus `json:"workloadStatuses"`
	WorkloadStatus   *kialiWorkloadStatus  `json:"workloadStatus"`
}

type kialiWorkloadStatus struct {
	Name              string `json:"name"`
	AvailableReplicas int    `json:"availableReplicas"`
	DesiredReplicas   int    `json:"desiredReplicas"`
}

func (p kialiProber) health(ctx context.Context, base string) (attempt, error) {
	h := p.spec.Health
	typ := firstNonEmpty(h.Type, "app")
	want := firstNonEmpty(h.Status, "Healthy")
	q := url.Values{"namespaces": {h.Namespace}, "type": {typ}}
	var doc map[string]map[string]map[string]kialiHealthEntry
	if err := getJSON(ctx, p.env.httpClient(), base, "/api/clusters/health", q, &doc); err != nil {
		return attempt{}, fmt.Errorf("reading Kiali health: %w", err)
	}
	key := map[string]string{"app": "namespaceAppHealth", "service": "namespaceServiceHealth", "workload": "namespaceWorkloadHealth"}[typ]
	a := attempt{expected: fmt.Sprintf("%s %s/%s %s", typ, h.Namespace, h.Name, want)}
	entry, ok := doc[key][h.Namespace][h.Name]
	if !ok {
		a.observed = "not in Kiali's health report"
		a.message = fmt.Sprintf("Kiali reports no %s health for %s in namespace %s: check the name and that its pods carry app/version labels", typ, h.Name, h.Namespace)
		return a, nil
	}
	status, how := entry.Status, ""
	got := ""
	if status != nil && status.Status != "" {
		got = status.Status
	} else {
		got, how = entry.derive(), " (derived by labctl: this Kiali does not report a health status)"
	}
	a.observed = got + how
	if !strings.EqualFold(got, want) {
		a.message = fmt.Sprintf("Kiali says %s %s is %s, want %s", typ, h.Name, got, want)
		return a, nil
	}
	a.pass = true
	return a, nil
}

// derive computes a status for Kialis that predate server-side health, from
// replicas and Kiali's default tolerances (HTTP 5xx: failure at 10%; 4xx:
// degraded at 10%, failure at 20%).
func (e kialiHealthEntry) derive() string {
	ws := e.WorkloadStatuses
	if e.WorkloadStatus != nil {
		ws = append(ws, *e.WorkloadStatus)
	}
	for _, w := range ws {
		if w.AvailableReplicas < w.DesiredReplicas {
			return "Not Ready"
		}
	}
	total, e4, e5 := 0.0, 0.0, 0.0
	for code, rate := range e.Requests.Inbound["http"] {
		total += rate
		switch {
		case strings.HasPrefix(code, "5"):
			e5 += rate
		case strings.HasPrefix(code, "4"):
			e4 += rate
		}
	}
	switch {
	case total == 0:
		return "Healthy"
	case e5/total >= 0.10 || e4/total >= 0.20:
		return "Failure"
	case e5 > 0 || e4/total >= 0.10:
		return "Degraded"
	}
	return "Healthy"
}

type kialiValidationSummary struct {
	Namespace   string `json:"namespace"`
	Errors      int    `json:"errors"`
	Warnings    int    `json:"warnings"`
	ObjectCount int    `json:"objectCount"`
}

func (p kialiProber) validations(ctx context.Context, base string) (attempt, error) {
	v := p.spec.Validations
	q := url.Values{"namespaces": {strings.Join(p.spec.Namespaces, ",")}}
	var raw json.RawMessage
	if err := getJSON(ctx, p.env.httpClient(), base, "/api/istio/validations", q, &raw); err != nil {
		return attempt{}, fmt.Errorf("reading Kiali validations: %w", err)
	}
	// Kiali 2.x returns a list of summaries; older releases a map by namespace.
	var list []kialiValidationSummary
	if err := json.Unmarshal(raw, &list); err != nil {
		var byNS map[string]kialiValidationSummary
		if err2 := json.Unmarshal(raw, &byNS); err2 != nil {
			return attempt{}, fmt.Errorf("reading Kiali validations: unexpected JSON: %w", err)
		}
		for ns, s := range byNS {
			s.Namespace = ns
			list = append(list, s)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Namespace < list[j].Namespace })
	a := attempt{expected: fmt.Sprintf("at most %d validation error(s)", v.MaxErrors)}
	if v.MaxWarnings != nil {
		a.expected += fmt.Sprintf(" and %d warning(s)", *v.MaxWarnings)
	}
	errs, warns := 0, 0
	var obs []string
	for _, s := range list {
		errs += s.Errors
		warns += s.Warnings
		obs = append(obs, fmt.Sprintf("%s: %d error(s), %d warning(s) in %d object(s)", s.Namespace, s.Errors, s.Warnings, s.ObjectCount))
	}
	a.observed = strings.Join(obs, "; ")
	if len(list) == 0 {
		a.observed = "no namespaces in Kiali's answer"
	}
	switch {
	case errs > v.MaxErrors:
		a.message = fmt.Sprintf("Kiali reports %d validation error(s) in the Istio config: open Kiali's Istio Config page for details", errs)
	case v.MaxWarnings != nil && warns > *v.MaxWarnings:
		a.message = fmt.Sprintf("Kiali reports %d validation warning(s) in the Istio config", warns)
	default:
		a.pass = true
	}
	return a, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
