package existing

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// ReachTimeout bounds the reachability probe of an existing cluster,
// credential plugins (gke-gcloud-auth-plugin, aws eks get-token) included. It
// stays under 10 s so `labctl up` against a dead cluster fails within 10 s.
const ReachTimeout = 8 * time.Second

// Reason classifies why a cluster did not answer.
type Reason string

// Reasons of UnreachableError.
const (
	ReasonTimeout      Reason = "timeout"
	ReasonRefused      Reason = "refused"
	ReasonUnauthorized Reason = "unauthorized"
	ReasonCertificate  Reason = "certificate"
	ReasonOther        Reason = "other"
)

// UnreachableError says the API server of a context did not answer.
type UnreachableError struct {
	Context string
	Server  string
	Reason  Reason
	Timeout time.Duration
	Err     error
}

func (e *UnreachableError) Error() string {
	switch e.Reason {
	case ReasonTimeout:
		return fmt.Sprintf("the cluster of context %q (%s) did not answer within %s", e.Context, e.Server, e.Timeout)
	case ReasonRefused:
		return fmt.Sprintf("the cluster of context %q (%s) refused the connection: %v", e.Context, e.Server, e.Err)
	case ReasonUnauthorized:
		return fmt.Sprintf("the cluster of context %q (%s) rejected the credentials: %v", e.Context, e.Server, e.Err)
	case ReasonCertificate:
		return fmt.Sprintf("the cluster of context %q (%s) has a TLS certificate the kubeconfig does not trust: %v", e.Context, e.Server, e.Err)
	}
	return fmt.Sprintf("the cluster of context %q (%s) did not answer: %v", e.Context, e.Server, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Fix says what to do about it.
func (e *UnreachableError) Fix() string {
	check := fmt.Sprintf("check by hand: `kubectl --context %s get --raw /version`", e.Context)
	switch e.Reason {
	case ReasonUnauthorized:
		return "refresh the credentials, e.g. `gcloud container clusters get-credentials NAME`, `aws eks update-kubeconfig --name NAME` or `az aks get-credentials -n NAME -g GROUP`; " + check
	case ReasonCertificate:
		return "fetch a fresh kubeconfig for the cluster (its CA changed, or the server address is wrong); " + check
	}
	return "make sure the cluster is running and reachable (start it, e.g. `minikube start`; connect the VPN), or pick another context with --context NAME; " + check
}

// Reachable asks the API server for /version within timeout and returns
// its git version. The request runs with its own client timeout on a copy
// of cfg, and Reachable returns at the deadline even if a credential plugin
// ignores cancellation.
func Reachable(ctx context.Context, cfg *rest.Config, contextName string, timeout time.Duration) (string, error) {
	c := rest.CopyConfig(cfg)
	c.Timeout = timeout
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		raw []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		kc, err := kubernetes.NewForConfig(c)
		if err != nil {
			ch <- result{err: err}
			return
		}
		raw, err := kc.Discovery().RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
		ch <- result{raw, err}
	}()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		r.err = ctx.Err()
	}
	if r.err != nil {
		return "", &UnreachableError{Context: contextName, Server: cfg.Host, Reason: classify(ctx, r.err), Timeout: timeout, Err: r.err}
	}
	var v version.Info
	if err := json.Unmarshal(r.raw, &v); err != nil {
		return "", &UnreachableError{Context: contextName, Server: cfg.Host, Reason: ReasonOther, Err: fmt.Errorf("GET /version did not return a Kubernetes version: %w", err)}
	}
	return v.GitVersion, nil
}

func classify(ctx context.Context, err error) Reason {
	var certErr x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var netErr net.Error
	switch {
	case apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err):
		return ReasonUnauthorized
	case errors.As(err, &certErr) || errors.As(err, &hostErr) || errors.As(err, &invalid):
		return ReasonCertificate
	case errors.Is(err, syscall.ECONNREFUSED):
		return ReasonRefused
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return ReasonTimeout
	}
	return ReasonOther
}
