module istio.io/istio

go 1.26

require (
	k8s.io/client-go v0.36.1
	sigs.k8s.io/gateway-api v1.7.0
	sigs.k8s.io/gateway-api/conformance v1.7.0
)
