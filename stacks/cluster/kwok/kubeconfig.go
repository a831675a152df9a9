package kwok

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	labcluster "github.com/labctl/labctl/stacks/cluster"
)

// kwokctlKubeconfig is the admin kubeconfig kwokctl writes into each
// cluster directory.
const kwokctlKubeconfig = "kubeconfig.yaml"

// DefaultKubeconfig is the file a context goes to when none is given:
// the first file of $KUBECONFIG, else ~/.kube/config, as kubectl and kind do.
func DefaultKubeconfig() string {
	return clientcmd.NewDefaultClientConfigLoadingRules().GetDefaultFilename()
}

// writeContext copies the admin cluster, user and context of kwokctl's
// kubeconfig src into the kubeconfig dst under name, with certificates
// inlined (the cluster directory may move or vanish before dst is
// cleaned), and makes it the current context. Other entries of dst are kept.
func writeContext(src, dst, name string) error {
	in, err := clientcmd.LoadFromFile(src)
	if err != nil {
		return fmt.Errorf("reading the simulated cluster's kubeconfig %s: %w (run `labctl down` and `labctl up` again)", src, err)
	}
	ctx, ok := in.Contexts[in.CurrentContext]
	if !ok {
		return fmt.Errorf("kubeconfig %s written by kwokctl has no current context %q", src, in.CurrentContext)
	}
	if err := clientcmdapi.FlattenConfig(in); err != nil {
		return fmt.Errorf("inlining certificates of %s: %w", src, err)
	}
	cluster, user := in.Clusters[ctx.Cluster], in.AuthInfos[ctx.AuthInfo]
	if cluster == nil {
		return fmt.Errorf("kubeconfig %s written by kwokctl has no cluster %q", src, ctx.Cluster)
	}
	out, err := loadOrEmpty(dst)
	if err != nil {
		return err
	}
	c := cluster.DeepCopy()
	c.LocationOfOrigin = ""
	out.Clusters[name] = c
	nc := &clientcmdapi.Context{Cluster: name}
	if user != nil {
		u := user.DeepCopy()
		u.LocationOfOrigin = ""
		out.AuthInfos[name] = u
		nc.AuthInfo = name
	}
	out.Contexts[name] = nc
	out.CurrentContext = name
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("creating the directory of kubeconfig %s: %w", dst, err)
	}
	// Restricted before the key goes in, not after: clientcmd keeps the
	// mode an existing file has.
	if err := labcluster.RestrictFile(dst); err != nil {
		return err
	}
	if err := clientcmd.WriteToFile(*out, dst); err != nil {
		return fmt.Errorf("writing context %q to kubeconfig %s: %w", name, dst, err)
	}
	return nil
}

// removeContext deletes the context, cluster and user called name from the
// kubeconfig at path. A missing file or entry is not an error.
func removeContext(path, name string) error {
	cfg, err := clientcmd.LoadFromFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading kubeconfig %s to remove context %q: %w", path, name, err)
	}
	_, hasCtx := cfg.Contexts[name]
	_, hasCluster := cfg.Clusters[name]
	_, hasUser := cfg.AuthInfos[name]
	if !hasCtx && !hasCluster && !hasUser {
		return nil
	}
	delete(cfg.Contexts, name)
	delete(cfg.Clusters, name)
	delete(cfg.AuthInfos, name)
	if cfg.CurrentContext == name {
		cfg.CurrentContext = ""
	}
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("removing context %q from kubeconfig %s: %w", name, path, err)
	}
	return nil
}

func loadOrEmpty(path string) (*clientcmdapi.Config, error) {
	cfg, err := clientcmd.LoadFromFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return clientcmdapi.NewConfig(), nil
	case err != nil:
		return nil, fmt.Errorf("reading kubeconfig %s: %w (fix or move it, or pass --kubeconfig)", path, err)
	}
	return cfg, nil
}
