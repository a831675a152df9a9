package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// writeGatewayAPI puts the Gateway API standard CRD bundle where labctl
// looks for it under a chart mirror: <out>/manifests/<host><path> of the
// lock's URL. The CRDs come from the sigs.k8s.io/gateway-api module at the
// locked version (its config/crd/standard directory is the source of the
// release's standard-install.yaml), found in the Go module cache.
func writeGatewayAPI(l *lock, out string) error {
	versions := l.gatewayAPIVersions()
	if len(versions) == 0 || l.GatewayAPI.URL == "" {
		return fmt.Errorf("the version lock has no istio.releases[].gatewayAPI or gatewayAPI.url")
	}
	for _, v := range versions {
		if err := writeGatewayAPIBundle(l.GatewayAPI.URL, v, out); err != nil {
			return err
		}
	}
	return nil
}

// writeGatewayAPIBundle writes one version's bundle.
func writeGatewayAPIBundle(urlTemplate, version, out string) error {
	dir, err := moduleDir("sigs.k8s.io/gateway-api@" + version)
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(dir, "config", "crd", "standard", "*.yaml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no CRDs in %s/config/crd/standard", dir)
	}
	sort.Strings(files)
	var b bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		b.WriteString("---\n")
		b.Write(data)
		b.WriteString("\n")
	}
	u, err := url.Parse(strings.ReplaceAll(urlTemplate, "{version}", version))
	if err != nil {
		return fmt.Errorf("gatewayAPI.url: %w", err)
	}
	dest := filepath.Join(out, "manifests", u.Host, filepath.FromSlash(u.Path))
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dest, b.Bytes(), 0o644)
}

// moduleDir downloads a module through the Go module proxy (or finds it in
// the module cache) and returns its directory.
func moduleDir(mod string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", mod)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %v: %s", mod, err, stderr.String())
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(outb, &info); err != nil {
		return "", fmt.Errorf("go mod download %s: %w", mod, err)
	}
	if info.Error != "" || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s: %s", mod, info.Error)
	}
	return info.Dir, nil
}
