package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeLabctl records each call and fails the subcommand named in
// $FAKE_FAIL; fakeDocker answers `docker info` and `image inspect`.
const (
	fakeLabctl = `#!/bin/sh
echo "$*" >>"$FAKE_LOG"
case "$1" in
  "$FAKE_FAIL") echo "fake $1 failed" >&2; exit 1 ;;
  test) for a; do case "$prev" in --junit) echo '<testsuites/>' >"$a" ;; esac; prev="$a"; done ;;
esac
exit 0
`
	fakeDocker = `#!/bin/sh
echo "docker $*" >>"$FAKE_LOG"
exit 0
`
)

// hack/e2e.sh runs up, the smoke checks, the run's labs and down in that
// order; down runs after a failure too, and a failure leaves diagnostics
// and a non-zero exit. labctl and docker are fakes: the real flow needs
// Docker and internet (the workflow and make e2e).
func TestScriptFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs hack/e2e.sh; skipped with -short")
	}
	for _, tool := range []string{"bash", "timeout", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("hack/e2e.sh needs %s, which is not on PATH", tool)
		}
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// The labs of a run come from the plan, so a new lab changes the call
	// the script makes without making this test stale.
	_, _, runs := plan(t)
	gwLabs := ""
	for _, r := range runs {
		if r.ID == "bookinfo-gatewayapi" {
			gwLabs = strings.Join(r.Labs, " ")
		}
	}
	if gwLabs == "" {
		t.Fatal("the plan has no bookinfo-gatewayapi run with labs")
	}
	cases := []struct {
		name, run, fail string
		wantCalls       []string // prefixes of the labctl calls, in order
		wantFail        bool
		wantFiles       []string
	}{
		{name: "passes", run: "bookinfo-gatewayapi", wantCalls: []string{
			"up --name e2e-bookinfo-gatewayapi --stack bookinfo --mode sidecar --istio-version 1.31 --set mesh.ingress.mode=gatewayapi",
			"status --name e2e-bookinfo-gatewayapi -o json",
			"check --name e2e-bookinfo-gatewayapi -f ",
			"test " + gwLabs + " --name e2e-bookinfo-gatewayapi --junit ",
			"down --name e2e-bookinfo-gatewayapi",
		}, wantFiles: []string{"smoke.yaml", "labs.junit.xml", "up.log", "status.json"}},
		{name: "a failing lab still takes the environment down", run: "minimal-ambient", fail: "test", wantFail: true, wantCalls: []string{
			"up --name e2e-minimal-ambient --stack minimal --mode ambient",
			"status --name e2e-minimal-ambient",
			"check --name e2e-minimal-ambient",
			"test sample-ambient --name e2e-minimal-ambient",
			"status --name e2e-minimal-ambient -o json", // diagnostics
			"down --name e2e-minimal-ambient",
		}, wantFiles: []string{"diagnostics/status.json"}},
		{name: "a failed up skips the tests", run: "boutique", fail: "up", wantFail: true, wantCalls: []string{
			"up --name e2e-boutique --stack boutique",
			"status --name e2e-boutique -o json",
			"down --name e2e-boutique",
		}, wantFiles: []string{"diagnostics/status.json", "up.log"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "bin")
			if err := os.Mkdir(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, body := range map[string]string{"labctl": fakeLabctl, "docker": fakeDocker} {
				if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			log := filepath.Join(dir, "calls.log")
			out := filepath.Join(dir, "reports")
			cmd := exec.Command("bash", filepath.Join(repo, "hack/e2e.sh"), "run", c.run)
			cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "LABCTL="+filepath.Join(bin, "labctl"),
				"FAKE_LOG="+log, "FAKE_FAIL="+c.fail, "E2E_OUT="+out, "E2E_KEEP=")
			outb, err := cmd.CombinedOutput()
			if c.wantFail != (err != nil) {
				t.Fatalf("exit error %v, want failure %t\n%s", err, c.wantFail, outb)
			}
			callsb, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			var calls []string
			for _, l := range strings.Split(strings.TrimSpace(string(callsb)), "\n") {
				if !strings.HasPrefix(l, "docker ") {
					calls = append(calls, l)
				}
			}
			if len(calls) != len(c.wantCalls) {
				t.Fatalf("labctl calls:\n%s\nwant %d:\n%s\noutput:\n%s", strings.Join(calls, "\n"), len(c.wantCalls), strings.Join(c.wantCalls, "\n"), outb)
			}
			for i, w := range c.wantCalls {
				if !strings.HasPrefix(calls[i], w) {
					t.Errorf("call %d: %q, want it to start with %q", i, calls[i], w)
				}
			}
			for _, f := range c.wantFiles {
				if _, err := os.Stat(filepath.Join(out, c.run, f)); err != nil {
					t.Errorf("report %s: %v", f, err)
				}
			}
			if !strings.Contains(string(callsb), "docker image inspect kindest/node:") {
				t.Errorf("the node image of the lock was not looked for:\n%s", callsb)
			}
		})
	}
}
