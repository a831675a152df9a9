package install

import (
	"fmt"
	"maps"
	"slices"

	"github.com/labctl/labctl/assets/values"
	"github.com/labctl/labctl/stacks"
	"github.com/labctl/labctl/stacks/cluster"
)

// Component and release names that are part of labctl's contract: status
// shows them and other commands look them up.
const (
	IstioNamespace   = "istio-system"
	IngressNamespace = "istio-ingress"
	IngressRelease   = "istio-ingress"
	TrafficNamespace = "labctl-traffic"
	TrafficRelease   = "traffic"
)

// Plan builds the install graph for a defaulted, validated stack. v is the
// version lock (Istio repo, Gateway API bundle); cl says how the cluster
// exposes the ingress gateway and whether it is simulated.
func Plan(s *stacks.Stack, v *stacks.Versions, cl cluster.Cluster) ([]Component, error) {
	m := s.Spec.Mesh
	// The stack's Istio release picks the rest of the lock (Gateway API bundle).
	v, err := v.ForIstio(m.Version)
	if err != nil {
		return nil, fmt.Errorf("spec.mesh.version: %w", err)
	}
	ing := cl.Ingress
	istio := func(chart string) ChartRef {
		return ChartRef{Name: chart, Repo: v.Istio.Repo, Version: m.Version}
	}
	var out []Component
	add := func(c Component) { out = append(out, c) }

	hub := map[string]any{"global": map[string]any{"hub": v.Istio.Hub}}
	baseVals := map[string]any{"defaultRevision": "default"}
	cp := cl.ControlPlane
	switch {
	case cp != nil:
		// istiod runs outside the cluster: the default-revision validator
		// calls it by URL, as for a remote istiod; its failure policy is
		// Istio's own (istiod turns it to Fail once it serves).
		baseVals["base"] = map[string]any{"validationURL": cp.ValidationURL}
	case cl.Simulated:
		// Nothing answers the validation webhook on a simulated cluster; the
		// base chart leaves its failurePolicy to default to Fail on upgrade,
		// which would reject every Istio object a lab applies.
		baseVals["base"] = map[string]any{"validationFailurePolicy": "Ignore"}
	}
	add(Component{Name: "istio-base", Group: GroupMesh, Kind: KindHelm, Release: "istio-base", Namespace: IstioNamespace,
		Chart: istio("base"), Values: merge(baseVals, m.Values["base"]),
		Namespaces: []Namespace{{Name: IstioNamespace}}, Timeout: TimeoutMesh})
	istiodDeps := []string{"istio-base"}
	if m.GatewayAPI {
		add(Component{Name: "gateway-api-crds", Group: GroupMesh, Kind: KindManifest, ManifestURL: v.GatewayAPIURL(), Timeout: TimeoutCRDs})
		istiodDeps = append(istiodDeps, "gateway-api-crds")
	}
	istiodVals, err := istiodValues(s)
	if err != nil {
		return nil, err
	}
	istiodVals = merge(hub, istiodVals)
	switch {
	case cp != nil:
		// The injection and revision validation webhooks call the istiod
		// process by URL (istiodRemote.injectionURL, base.validationURL);
		// istiod patches their caBundle itself (revision label "default").
		istiodVals = merge(istiodVals, map[string]any{
			"istiodRemote": map[string]any{"injectionURL": cp.InjectionURL},
			"base":         map[string]any{"validationURL": cp.ValidationURL},
		})
	case cl.Simulated:
		// Nothing on a simulated cluster can answer istiod's webhooks, and the
		// injection webhook fails closed: pods in labelled namespaces could
		// never be created. Leave the webhooks out; labels are still applied.
		istiodVals = merge(istiodVals, map[string]any{"global": map[string]any{"operatorManageWebhooks": true}})
	}
	add(Component{Name: "istiod", Group: GroupMesh, Kind: KindHelm, Release: "istiod", Namespace: IstioNamespace,
		Chart: istio("istiod"), Values: istiodVals, DependsOn: istiodDeps, Timeout: TimeoutMesh})
	// controlPlane is what serves the webhooks: the istiod chart's pod, or
	// the process started once the chart's configuration (the injector
	// template, the mesh config) is in the cluster.
	controlPlane := "istiod"
	if cp != nil {
		controlPlane = ControlPlaneComponent
		add(Component{Name: ControlPlaneComponent, Group: GroupMesh, Kind: KindControlPlane, Namespace: IstioNamespace,
			DependsOn: []string{"istiod"}, Timeout: TimeoutControlPlane})
	}
	meshReady := []string{controlPlane}
	if m.Mode == stacks.ModeAmbient {
		add(Component{Name: "istio-cni", Group: GroupMesh, Kind: KindHelm, Release: "istio-cni", Namespace: IstioNamespace,
			Chart: istio("cni"), Values: merge(merge(hub, map[string]any{"profile": "ambient"}), m.Values["cni"]), DependsOn: []string{"istiod"}, Timeout: TimeoutMesh})
		add(Component{Name: "ztunnel", Group: GroupMesh, Kind: KindHelm, Release: "ztunnel", Namespace: IstioNamespace,
			Chart: istio("ztunnel"), Values: merge(merge(hub, map[string]any{"profile": "ambient"}), m.Values["ztunnel"]), DependsOn: []string{"istio-cni"}, Timeout: TimeoutMesh})
		meshReady = []string{"ztunnel"}
		if cp != nil {
			meshReady = append(meshReady, controlPlane)
		}
	}
	// Apps need the mesh's data plane ready for their pods (istiod's
	// injection webhook; in ambient, istio-cni and ztunnel), not the
	// ingress gateway: the gateway installs alongside them, and only the
	// traffic that goes through it waits for it (and, in Gateway API
	// ingress mode, an app whose Gateway is bound to it).
	trafficAfter := []string{}
	if !m.Ingress.Disabled {
		add(Component{Name: "istio-ingress", Group: GroupMesh, Kind: KindHelm, Release: IngressRelease, Namespace: IngressNamespace,
			Chart: istio("gateway"), Values: merge(gatewayValues(ing), m.Values["gateway"]), DependsOn: slices.Clone(meshReady),
			Namespaces: []Namespace{{Name: IngressNamespace}}, Timeout: TimeoutMesh})
		trafficAfter = append(trafficAfter, "istio-ingress")
	}

	tracing := tracingBackend(s)
	for _, a := range s.Spec.Addons {
		vals, err := addonValues(a, tracing)
		if err != nil {
			return nil, err
		}
		add(Component{Name: a.Name, Group: GroupAddon, Kind: KindHelm, Release: a.Name, Namespace: a.Namespace,
			Chart: ChartRef{Name: a.Chart, Repo: a.Repo, Version: a.Version}, Values: vals,
			DependsOn: []string{"istiod"}, Namespaces: []Namespace{{Name: a.Namespace}}, Timeout: TimeoutAddon})
	}

	var appNames []string
	for _, a := range s.Spec.Apps {
		after := slices.Clone(meshReady)
		if a.Ingress != nil && !m.Ingress.Disabled && m.Ingress.Mode == stacks.IngressGatewayAPI {
			// Its Gateway is made in the ingress gateway's namespace.
			after = append(after, "istio-ingress")
		}
		add(Component{Name: a.Name, Group: GroupApp, Kind: KindHelm, Release: a.Name, Namespace: a.Namespace,
			Chart: ChartRef{Name: a.Chart, Embedded: true}, Values: appValues(s, a, ing),
			DependsOn: after, Namespaces: appNamespaces(m.Mode, a), Timeout: TimeoutApp})
		appNames = append(appNames, a.Name)
	}
	if t := s.Spec.Traffic; t != nil && t.Enabled && len(t.Targets) > 0 {
		c := TrafficComponent(m.Mode, t.Rate, trafficTargets(s), true)
		c.DependsOn = append(slices.Clone(t.Targets), trafficAfter...)
		add(c)
	}
	return out, nil
}

func tracingBackend(s *stacks.Stack) string {
	for _, a := range s.Spec.Addons {
		if a.Name == "jaeger" || a.Name == "zipkin" {
			return a.Name
		}
	}
	return ""
}

func istiodValues(s *stacks.Stack) (map[string]any, error) {
	files := []string{"istiod"}
	if tracingBackend(s) == "zipkin" {
		files = append(files, "istiod-zipkin")
	}
	base, err := values.Merge(files...)
	if err != nil {
		return nil, err
	}
	if s.Spec.Mesh.Profile != "" {
		base["profile"] = s.Spec.Mesh.Profile
	}
	return merge(base, s.Spec.Mesh.Values["istiod"]), nil
}

func addonValues(a stacks.Addon, tracing string) (map[string]any, error) {
	files := []string{}
	if slices.Contains(values.Names(), a.Chart) {
		files = append(files, a.Chart)
	}
	if tracing == "zipkin" && slices.Contains(values.Names(), a.Chart+"-zipkin") {
		files = append(files, a.Chart+"-zipkin")
	}
	base := map[string]any{}
	if len(files) > 0 {
		var err error
		if base, err = values.Merge(files...); err != nil {
			return nil, fmt.Errorf("addon %s: %w", a.Name, err)
		}
	}
	return merge(base, a.Values), nil
}

// gatewayValues publishes the ingress gateway the way the cluster can reach
// it: NodePort on fixed node ports (kind maps them to host ports) pinned to
// the node that carries the port mappings, or the chart's LoadBalancer.
func gatewayValues(ing cluster.Ingress) map[string]any {
	if ing.ServiceType != "NodePort" {
		return map[string]any{}
	}
	ports := []any{
		map[string]any{"name": "status-port", "port": 15021, "protocol": "TCP", "targetPort": 15021},
		map[string]any{"name": "http2", "port": 80, "protocol": "TCP", "targetPort": 80, "nodePort": ing.NodePortHTTP},
		map[string]any{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443, "nodePort": ing.NodePortHTTPS},
	}
	v := map[string]any{"service": map[string]any{"type": "NodePort", "ports": ports}, "autoscaling": map[string]any{"enabled": false}}
	if len(ing.NodeSelector) > 0 {
		sel := map[string]any{}
		for k, val := range ing.NodeSelector {
			sel[k] = val
		}
		v["nodeSelector"] = sel
	}
	return v
}

// meshLabels are the namespace labels that enrol a namespace in the mesh.
func meshLabels(mode string) map[string]string {
	if mode == stacks.ModeAmbient {
		return map[string]string{"istio.io/dataplane-mode": "ambient"}
	}
	return map[string]string{"istio-injection": "enabled"}
}

func appNamespaces(mode string, a stacks.App) []Namespace {
	var out []Namespace
	for _, ns := range a.Namespaces {
		n := Namespace{Name: ns}
		if a.Injected() {
			n.Labels = meshLabels(mode)
		}
		out = append(out, n)
	}
	return out
}

func appValues(s *stacks.Stack, a stacks.App, ing cluster.Ingress) map[string]any {
	m := s.Spec.Mesh
	v := map[string]any{"mesh": map[string]any{"mode": m.Mode}}
	if a.Ingress != nil && !m.Ingress.Disabled {
		in := map[string]any{"enabled": true, "mode": m.Ingress.Mode}
		if a.Ingress.Host != "" {
			in["host"] = a.Ingress.Host
		}
		if m.Ingress.Mode == stacks.IngressGatewayAPI {
			// Bind the app's Gateway to the ingress gateway labctl deploys,
			// instead of letting Istio deploy one per Gateway behind a Service
			// of its own (a random node port nothing maps): the kind port
			// mapping, a LoadBalancer's address and the background traffic
			// all reach istio-ingress.
			in["gateway"] = map[string]any{"existingService": IngressService()}
		}
		v["ingress"] = in
	}
	return merge(v, a.Values)
}

// IngressService is the in-cluster hostname of the ingress gateway's
// Service: what the background traffic requests and what an app's Gateway
// API Gateway binds to.
func IngressService() string {
	return fmt.Sprintf("%s.%s.svc.cluster.local", IngressRelease, IngressNamespace)
}

// TrafficTarget is an app path the background traffic generator requests.
type TrafficTarget struct {
	Name string
	Path string
}

func trafficTargets(s *stacks.Stack) []TrafficTarget {
	var out []TrafficTarget
	for _, name := range s.Spec.Traffic.Targets {
		for _, a := range s.Spec.Apps {
			if a.Name != name {
				continue
			}
			path := "/"
			if a.Ingress != nil && a.Ingress.Path != "" {
				path = a.Ingress.Path
			}
			out = append(out, TrafficTarget{Name: a.Name, Path: path})
		}
	}
	return out
}

// TrafficComponent is the background traffic generator release. It sends
// rate requests per second to each target through the ingress gateway
// Service, so traffic enters the mesh the way a user's does and every edge
// of the app shows in Kiali. enabled=false keeps the release with no pods.
func TrafficComponent(mode string, rate float64, targets []TrafficTarget, enabled bool) Component {
	var ts []any
	for _, t := range targets {
		ts = append(ts, map[string]any{
			"name": t.Name,
			"url":  "http://" + IngressService() + t.Path,
		})
	}
	return Component{Name: TrafficRelease, Group: GroupTraffic, Kind: KindHelm, Release: TrafficRelease, Namespace: TrafficNamespace,
		Chart:      ChartRef{Name: "traffic", Embedded: true},
		Values:     map[string]any{"enabled": enabled, "rate": rate, "targets": ts, "mesh": map[string]any{"mode": mode}},
		Namespaces: []Namespace{{Name: TrafficNamespace}}, Timeout: TimeoutTraffic}
}

// merge deep-merges overlay onto a copy of base: maps merge key by key,
// everything else is replaced, as Helm merges -f files.
func merge(base, overlay map[string]any) map[string]any {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range overlay {
		if bm, ok := out[k].(map[string]any); ok {
			if om, ok := v.(map[string]any); ok {
				out[k] = merge(bm, om)
				continue
			}
		}
		out[k] = v
	}
	return out
}
