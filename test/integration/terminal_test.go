//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/labctl/labctl/stacks/cluster/kwok"
)

// Bounds of the terminal the workshop test types into.
const (
	// TerminalCommandTimeout bounds one command typed at the prompt.
	TerminalCommandTimeout = 3 * time.Minute
	terminalWidth          = 160
	terminalHeight         = 50
)

// terminal is a real terminal: a tmux server of its own (its own socket)
// running bash, into which the test types commands (send-keys) and from
// which it reads the screen as the learner sees it (capture-pane: the
// rendered text, colours and cursor moves already applied).
type terminal struct {
	t      *testing.T
	tmux   string
	socket string
	n      int
}

// newTerminal starts a terminal whose shell has env and the labctl and
// kubectl binaries first on PATH.
func newTerminal(t *testing.T, tmux string, env []string, path ...string) *terminal {
	t.Helper()
	dir := t.TempDir()
	term := &terminal{t: t, tmux: tmux, socket: filepath.Join(dir, "tmux.sock")}
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g history-limit 100000\nset -g status off\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(dir, "bashrc")
	if err := os.WriteFile(rc, []byte("PS1='$ '\nexport PATH="+strings.Join(path, ":")+":$PATH\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var clean []string
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != "TMUX" && k != "NO_COLOR" && k != "TERM" {
			clean = append(clean, kv)
		}
	}
	cmd := exec.Command(tmux, "-u", "-S", term.socket, "-f", conf, "new-session", "-d", "-s", "learner",
		"-x", strconv.Itoa(terminalWidth), "-y", strconv.Itoa(terminalHeight), "bash", "--noprofile", "--rcfile", rc, "-i")
	cmd.Env = append(clean, "LANG=C.UTF-8", "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("starting tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", term.socket, "kill-server").Run() })
	return term
}

func (term *terminal) tmuxCmd(args ...string) (string, error) {
	out, err := exec.Command(term.tmux, append([]string{"-S", term.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// screen is everything the terminal showed (history included), as text.
func (term *terminal) screen() string {
	out, err := term.tmuxCmd("capture-pane", "-p", "-J", "-S", "-", "-t", "learner")
	if err != nil {
		term.t.Fatalf("capture-pane: %v\n%s", err, out)
	}
	return out
}

// typed is what one command printed on the screen and how it exited.
type typed struct {
	line, screen string
	code         int
}

// run types line at the prompt, presses Enter and waits for it to finish
// (an exit marker the shell prints after it); it returns what appeared on
// the screen between the command line and the marker.
func (term *terminal) run(line string) typed {
	term.t.Helper()
	term.n++
	marker := fmt.Sprintf("[command %d exited ", term.n)
	full := fmt.Sprintf(`%s; echo "%s$?]"`, line, marker)
	if out, err := term.tmuxCmd("send-keys", "-t", "learner", "-l", full); err != nil {
		term.t.Fatalf("send-keys: %v\n%s", err, out)
	}
	if out, err := term.tmuxCmd("send-keys", "-t", "learner", "Enter"); err != nil {
		term.t.Fatalf("send-keys Enter: %v\n%s", err, out)
	}
	done := regexp.MustCompile(regexp.QuoteMeta(marker) + `(\d+)\]`)
	var got typed
	err := wait.PollUntilContextTimeout(context.Background(), pollEvery, TerminalCommandTimeout, true, func(context.Context) (bool, error) {
		s := term.screen()
		m := done.FindStringSubmatchIndex(s)
		if m == nil {
			return false, nil
		}
		start := strings.LastIndex(s[:m[0]], "$ "+line)
		if start < 0 {
			return false, fmt.Errorf("the command line %q is not on the screen", line)
		}
		got.line = line
		got.code, _ = strconv.Atoi(s[m[2]:m[3]])
		// From the line after the typed command to the marker.
		out := s[start:m[0]]
		if i := strings.Index(out, "\n"); i >= 0 {
			out = out[i+1:]
		}
		got.screen = out
		return true, nil
	})
	if err != nil {
		term.t.Fatalf("%q did not finish in the terminal within %s: %v\nscreen:\n%s", line, TerminalCommandTimeout, err, term.screen())
	}
	term.t.Logf("$ %s (exit %d)\n%s", line, got.code, got.screen)
	return got
}

// expect fails unless the command exited with code and the learner saw
// every one of want.
func (term *terminal) expect(got typed, code int, want ...string) {
	term.t.Helper()
	if got.code != code {
		term.t.Errorf("$ %s exited %d, want %d; the screen showed:\n%s", got.line, got.code, code, got.screen)
	}
	for _, w := range want {
		if !strings.Contains(got.screen, w) {
			term.t.Errorf("$ %s: the learner does not see %q; the screen showed:\n%s", got.line, w, got.screen)
		}
	}
}

// TestIntegrationWorkshopInATerminal drives the workshop mode of
// sample-basics from start to stop the way a learner does: typing into a
// real terminal (tmux), running kubectl for one step by hand, and reading
// the screen. The environment is `labctl up --provider kwok --stack
// minimal`, so the http check is reported skipped (no data plane).
func TestIntegrationWorkshopInATerminal(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		msg := "tmux is not installed: the workshop cannot be driven through a real terminal (apt-get install tmux)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; .ci/run installs it, so CI must not skip this test")
		}
		fmt.Fprintln(os.Stderr, "SKIP TestIntegrationWorkshopInATerminal: "+msg)
		t.Skip(msg)
	}
	l := newLab(t, "workshop")
	t.Cleanup(func() { l.run(DownTimeout, "down") })
	l.must(UpTimeout, "up", "--provider", "kwok", "--stack", "minimal", "--kubeconfig", l.kubeconfig)
	kctx := l.status().Context

	// labctl and kubectl are on the learner's PATH; every labctl command
	// names the environment (--name) as a learner with several would.
	term := newTerminal(t, tmux, l.env, filepath.Dir(labctlBin), filepath.Dir(binaries[kwok.Kubectl]))
	lab := func(args string) typed { return term.run("labctl lab " + args + " --name " + l.name) }
	kubectl := func(args string) typed {
		return term.run("kubectl --kubeconfig " + l.kubeconfig + " --context " + kctx + " " + args)
	}

	term.expect(lab("list"), 0, "sample-basics", "minimal")
	start := lab("start sample-basics")
	term.expect(start, 0,
		"Started lab sample-basics", "Baseline", "✓ httpbin-ready (pods)", "Run two httpbin replicas", "kubectl scale deployment httpbin -n httpbin --replicas 2")
	// On a terminal the instructions are rendered, not shown as Markdown.
	for _, raw := range []string{"```sh", "# Run two httpbin replicas"} {
		if strings.Contains(start.screen, raw) {
			t.Errorf("lab start shows raw Markdown %q on a terminal:\n%s", raw, start.screen)
		}
	}
	term.expect(lab("check --timeout 3s"), 1,
		"Step 1 of 4: Run two httpbin replicas", "✗ two-httpbin-pods (pods)", "hint: Scale the httpbin Deployment to 2 replicas.",
		"Step 1 is not done yet: `labctl lab hint` gives a hint")
	term.expect(lab("hint"), 0, "Hint 1 of 2 for step 1", "spec.replicas")

	// The learner does step 1 by hand.
	term.expect(kubectl("scale deployment httpbin -n httpbin --replicas 2"), 0, "deployment.apps/httpbin scaled")
	term.expect(lab("check"), 0, "✓ two-httpbin-pods (pods)", "Step 1 done.", "Route to httpbin v1")

	// Step 2 by the reference solution: the http check needs a data plane.
	term.expect(lab("solve"), 0, "Applied the solution of step 2.", "✓ virtualservice-v1 (resource)",
		"httpbin-answers (http): skipped: simulated cluster has no data plane", "Step 2 done.")
	term.expect(lab("status"), 0, "✓ 1 scale-httpbin", "✓ 2 route", "▶ 3 restart")

	// An instructor jumps ahead, the learner leaves something behind, a
	// reset takes it away.
	term.expect(lab("goto 4"), 0, "Reset to the start of step 4 of 4 (remove-route)", "Take the route away")
	term.expect(kubectl("create configmap stray -n httpbin --from-literal=by=hand"), 0, "configmap/stray created")
	term.expect(lab("reset"), 0, "Reset to the start of step 4 of 4", "removed ConfigMap httpbin/stray")
	term.expect(lab("solve"), 0, "✓ virtualservice-gone (resource)", "Step 4 done: that was the last step")
	term.expect(lab("stop"), 0, "Stopped lab sample-basics", "The environment is as the lab found it.")
	term.expect(lab("list"), 0, "stopped at 3/4")
	term.expect(lab("status"), 1, "no lab is active")
}
