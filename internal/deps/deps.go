package deps

import (
	_ "fortio.org/fortio/fhttp"
	_ "fortio.org/fortio/periodic"
	_ "github.com/prometheus/client_golang/api/prometheus/v1"
	_ "github.com/spf13/cobra"
	_ "github.com/stretchr/testify/require"
	_ "helm.sh/helm/v4/pkg/action"
	_ "k8s.io/client-go/kubernetes"
	_ "sigs.k8s.io/kind/pkg/cluster"
	_ "sigs.k8s.io/yaml"
)
