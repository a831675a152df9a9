package verify

// Telemetry APIs a check can query, as named in Needs.API.
const (
	APIPrometheus = "prometheus"
	APIKiali      = "kiali"
	APIJaeger     = "jaeger"
	APIZipkin     = "zipkin"
)

// Needs is what one check needs from the environment, declared by its
// check type, so callers building an Env connect only what is used.
type Needs struct {
	// Cluster: the check talks to the Kubernetes API (pods, resources,
	// exec, requests sent from a pod or through a port-forward).
	Cluster bool
	// API is the telemetry API the check queries (APIPrometheus, ...), or
	// "". Without a URL for it, the API is reached through a port-forward,
	// which needs the cluster too.
	API string
}

// Needs returns what the check's type needs; the zero Needs when no single
// type is set (Validate reports that).
func (s *Spec) Needs() Needs {
	switch {
	case s.Pods != nil:
		return s.Pods.needs()
	case s.Resource != nil:
		return s.Resource.needs()
	case s.HTTP != nil:
		return s.HTTP.Target.needs()
	case s.Split != nil:
		return s.Split.Target.needs()
	case s.PromQL != nil:
		return s.PromQL.needs()
	case s.Kiali != nil:
		return s.Kiali.needs()
	case s.Trace != nil:
		return s.Trace.needs()
	case s.Exec != nil:
		return s.Exec.needs()
	}
	return Needs{}
}

func (*PodsSpec) needs() Needs     { return Needs{Cluster: true} }
func (*ResourceSpec) needs() Needs { return Needs{Cluster: true} }
func (*ExecSpec) needs() Needs     { return Needs{Cluster: true} }
func (*PromQLSpec) needs() Needs   { return Needs{API: APIPrometheus} }
func (*KialiSpec) needs() Needs    { return Needs{API: APIKiali} }

// A request from a pod runs curl through exec; a port-forward goes through
// the API server. Ingress and URL targets need neither.
func (t *Target) needs() Needs { return Needs{Cluster: t.From != nil || t.PortForward != nil} }

func (t *TraceSpec) needs() Needs {
	if t.Backend == BackendZipkin {
		return Needs{API: APIZipkin}
	}
	return Needs{API: APIJaeger}
}
