package cluster

import (
	"errors"
	"fmt"
	"os"

	"k8s.io/client-go/tools/clientcmd"
)

// SecretMode is the permission of every file a provider writes a
// credential into: readable and writable by its owner only.
const SecretMode os.FileMode = 0o600

// KubeconfigPath is the file a provider writes a context into: path, or
// when empty the default kubectl, kind and kwokctl use (the first file of
// $KUBECONFIG, else ~/.kube/config).
func KubeconfigPath(path string) string {
	if path != "" {
		return path
	}
	return clientcmd.NewDefaultClientConfigLoadingRules().GetDefaultFilename()
}

// RestrictFile sets an existing file to SecretMode, whatever mode it had:
// writing a file keeps the mode it was created with, so a kubeconfig that
// was 0644 would stay readable by everyone after a cluster's admin key
// went into it. A missing file is not an error.
func RestrictFile(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checking the permissions of %s: %w", path, err)
	}
	if fi.Mode().Perm() == SecretMode {
		return nil
	}
	if err := os.Chmod(path, SecretMode); err != nil {
		return fmt.Errorf("making %s readable by its owner only (it holds credentials): %w; run `chmod 600 %s`", path, err, path)
	}
	return nil
}
