// Command chartrepo writes a Helm chart repository (packaged charts plus
// index.yaml) for labctl's tests and benchmarks on simulated clusters:
//
//   - Istio's base, istiod, gateway, cni and ztunnel charts, taken from the
//     istio.io/istio/manifests embedded FS (the only istio.io/istio version the
//     module proxy serves is the `latest` pseudo-version), repackaged at every
//     Istio release of the version lock, with hub/tag pointed at that release;
//   - the Gateway API standard CRD bundle of each release, from the
//     sigs.k8s.io/gateway-api module, where labctl fetches it under a mirror;
//   - small fixture charts under the official addon chart names
//     (kiali-server, prometheus, grafana, jaeger, zipkin): a Deployment and the
//     Services the real charts create, at every version a release pins.
//
// Only test tooling uses this repository (through LABCTL_CHART_MIRROR); on a
// user's machine labctl downloads the official charts from their repositories.
//
// Usage: go run ./chartrepo -versions ../../stacks/versions.yaml -out DIR
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	versions := flag.String("versions", "", "path to labctl's version lock, stacks/versions.yaml (required)")
	out := flag.String("out", "", "directory to write the charts and index.yaml into (required; emptied of old *.tgz)")
	flag.Parse()
	if *versions == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "chartrepo: -versions and -out are required")
		flag.Usage()
		os.Exit(2)
	}
	lock, err := readLock(*versions)
	if err == nil {
		err = generate(lock, *out)
	}
	if err == nil {
		err = writeGatewayAPI(lock, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chartrepo:", err)
		os.Exit(1)
	}
}
