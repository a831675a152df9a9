package kube

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Clients is the bundle of clients for one cluster context.
type Clients struct {
	// Getter is a REST client getter for the context (default namespace).
	Getter genericclioptions.RESTClientGetter
	// NamespacedGetter returns a getter whose default namespace is ns: Helm
	// puts a chart's unqualified objects in the getter's namespace, so each
	// release needs its own.
	NamespacedGetter func(ns string) genericclioptions.RESTClientGetter
	REST             *rest.Config
	Kube             kubernetes.Interface
	// Dynamic reaches any kind, including Istio and Gateway API CRDs.
	Dynamic    dynamic.Interface
	Kubeconfig string
	Context    string
}

// ErrNoContext is returned when the requested context is not in the kubeconfig.
var ErrNoContext = errors.New("kube context not found")

// Load builds clients for a context of a kubeconfig. Empty kubeconfig means
// the usual $KUBECONFIG / ~/.kube/config rules; empty context means the
// current context.
func Load(kubeconfig, context string) (*Clients, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	raw, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("reading kubeconfig: %w (check --kubeconfig or $KUBECONFIG)", err)
	}
	if context == "" {
		context = raw.CurrentContext
	}
	if context == "" {
		return nil, fmt.Errorf("%w: the kubeconfig has no current context; pass --context NAME", ErrNoContext)
	}
	if _, ok := raw.Contexts[context]; !ok {
		names := make([]string, 0, len(raw.Contexts))
		for n := range raw.Contexts {
			names = append(names, n)
		}
		sort.Strings(names)
		known := "none"
		if len(names) > 0 {
			known = strings.Join(names, ", ")
		}
		return nil, fmt.Errorf("%w: context %q is not in the kubeconfig (known contexts: %s); pass an existing --context", ErrNoContext, context, known)
	}
	getter := func(ns string) genericclioptions.RESTClientGetter {
		flags := genericclioptions.NewConfigFlags(true)
		if kubeconfig != "" {
			flags.KubeConfig = &kubeconfig
		}
		ctxName := context
		flags.Context = &ctxName
		if ns != "" {
			flags.Namespace = &ns
		}
		flags.WrapConfigFn = tune
		return flags
	}
	flags := getter("")
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("building client config for context %q: %w", context, err)
	}
	c, err := newClients(flags, cfg, kubeconfig, context)
	if err != nil {
		return nil, err
	}
	c.NamespacedGetter = getter
	return c, nil
}

func newClients(getter genericclioptions.RESTClientGetter, cfg *rest.Config, kubeconfig, context string) (*Clients, error) {
	cfg = tune(rest.CopyConfig(cfg))
	kc, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating Kubernetes client: %w", err)
	}
	dc, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating dynamic client: %w", err)
	}
	return &Clients{Getter: getter, REST: cfg, Kube: kc, Dynamic: dc, Kubeconfig: kubeconfig, Context: context}, nil
}

// tune raises client-side rate limits: installing many charts at once is
// bursty and client-go's default of 5 QPS would throttle it. Requests get no
// global timeout (it would cut watches); callers bound waits with contexts.
func tune(cfg *rest.Config) *rest.Config {
	cfg.QPS, cfg.Burst = 50, 100
	return cfg
}
