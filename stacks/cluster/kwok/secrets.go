package kwok

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/labctl/labctl/stacks/cluster"
)

// clusterDirMode keeps other users out of a cluster directory: it holds
// the cluster's CA and admin keys, kubeconfigs and etcd's data.
const clusterDirMode os.FileMode = 0o700

// prepareClusterDir creates the cluster directory owner-only before
// kwokctl writes keys into it, and tightens one made earlier.
func prepareClusterDir(dir string) error {
	if err := os.MkdirAll(dir, clusterDirMode); err != nil {
		return fmt.Errorf("creating the simulated cluster directory %s: %w", dir, err)
	}
	if err := os.Chmod(dir, clusterDirMode); err != nil {
		return fmt.Errorf("making the simulated cluster directory %s owner-only: %w", dir, err)
	}
	return nil
}

// restrictSecrets sets every private key and kubeconfig kwokctl wrote into
// the cluster directory to cluster.SecretMode (kwokctl writes them 0644).
func restrictSecrets(dir string) error {
	return filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("looking for credentials in %s: %w", dir, err)
		}
		if d.IsDir() {
			if d.Name() == "etcd" && path != dir {
				return filepath.SkipDir // etcd keeps its own data 0700
			}
			return nil
		}
		if holdsSecret(d.Name()) {
			return cluster.RestrictFile(path)
		}
		return nil
	})
}

// holdsSecret tells the files of a cluster directory that carry a
// credential by name: private keys (pki/*.key) and kubeconfigs.
func holdsSecret(name string) bool {
	return strings.HasSuffix(name, ".key") || strings.Contains(name, "kubeconfig")
}
