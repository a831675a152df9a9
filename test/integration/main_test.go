//go:build integration

package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/labctl/labctl/internal/testenv"
)

// Set up once by TestMain.
var (
	labctlBin string
	binaries  map[string]string
	charts    *testenv.ChartRepo
)

// repoRoot is the labctl module root, from test/integration.
const repoRoot = "../.."

// raceBuild builds labctl itself with -race when LABCTL_INTEGRATION_RACE=1.
// Off by default: the race runtime slows labctl several times, and the
// issue's timing limits (a no-op `up` under 5 s) are about the real binary;
// `make test` race-checks labctl's packages.
var raceBuild = os.Getenv("LABCTL_INTEGRATION_RACE") == "1"

func TestMain(m *testing.M) {
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration tests cannot start:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func setup(m *testing.M) (int, error) {
	var err error
	if binaries, err = testenv.Binaries(); err != nil {
		return 0, err
	}
	dir, err := testenv.ChartsDir()
	if err != nil {
		return 0, err
	}
	if charts, err = testenv.NewChartRepo(dir); err != nil {
		return 0, err
	}
	defer charts.Close()
	labctlBin = os.Getenv("LABCTL_BIN")
	if labctlBin == "" {
		tmp, err := os.MkdirTemp("", "labctl-integration-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(tmp)
		labctlBin = filepath.Join(tmp, "labctl")
		args := []string{"build", "-o", labctlBin}
		if raceBuild {
			args = append(args, "-race")
		}
		build := exec.Command("go", append(args, "./cmd/labctl")...)
		build.Dir = repoRoot
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return 0, fmt.Errorf("building labctl: %w", err)
		}
	}
	return m.Run(), nil
}
