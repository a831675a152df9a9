package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/labctl/labctl/internal/state"
	"github.com/labctl/labctl/stacks/cluster/kwok"
)

// Environment variables that relocate the test environment.
const (
	BinEnv    = "LABCTL_TESTENV_BIN"
	ChartsEnv = "LABCTL_TESTENV_CHARTS"
)

// BinDir is where `make testenv` puts the binaries.
func BinDir() (string, error) {
	if d := os.Getenv(BinEnv); d != "" {
		return d, nil
	}
	cache, err := state.DefaultCacheDir()
	if err != nil {
		return "", err
	}
	return kwok.TestenvBinDir(cache), nil
}

// ChartsDir is where `make testenv` writes the chart repository.
func ChartsDir() (string, error) {
	if d := os.Getenv(ChartsEnv); d != "" {
		return d, nil
	}
	bin, err := BinDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(bin), "charts"), nil
}

// Binaries returns the path of every simulated-cluster binary by kwok
// component name. A kwokctl variable that is set (KWOK_ETCD_BINARY, ...)
// wins, as it does for the provider; anything else must be in BinDir.
// The error lists every binary missing and says how to build them.
func Binaries() (map[string]string, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var missing []string
	for _, c := range kwok.Components() {
		p := os.Getenv(c.Env)
		if p == "" {
			p = filepath.Join(bin, c.Name)
		}
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			missing = append(missing, p)
			continue
		}
		out[c.Name] = p
	}
	// pilot-discovery is optional: without it the provider runs no istiod.
	if p := Istiod(bin); p != "" {
		out[kwok.IstiodBinary] = p
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("simulated cluster binaries missing: %s; run `make testenv` (hack/testenv/build.sh) or set %s",
			strings.Join(missing, ", "), BinEnv)
	}
	return out, nil
}

// Istiod is pilot-discovery from $LABCTL_ISTIOD_BINARY, else in bin, or ""
// when `make testenv` has not built it.
func Istiod(bin string) string {
	p := os.Getenv(kwok.IstiodEnv)
	if p == "" {
		p = filepath.Join(bin, kwok.IstiodBinary)
	}
	if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return ""
	}
	return p
}

// Env returns the variables that hand the binaries to a labctl process:
// kwokctl's own KWOK_* variables, LABCTL_KWOKCTL_BINARY and, when built,
// LABCTL_ISTIOD_BINARY.
func Env(bins map[string]string) []string {
	var env []string
	for _, c := range kwok.Components() {
		if p := bins[c.Name]; p != "" {
			env = append(env, c.Env+"="+p)
		}
	}
	if p := bins[kwok.IstiodBinary]; p != "" {
		env = append(env, kwok.IstiodEnv+"="+p)
	}
	return env
}
