package testenv

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FailureLogLines bounds the lines ReportLogs prints from one log.
const FailureLogLines = 20

// ReportLogs prints, when t has failed, the last error and warning lines of
// every component log of the simulated clusters under kwok workdir: those
// directories go with the test's temporary directories, and a flake in CI
// is otherwise left without its cause.
func ReportLogs(t testing.TB, workdir string) {
	t.Helper()
	if !t.Failed() {
		return
	}
	logs, _ := filepath.Glob(filepath.Join(workdir, "clusters", "*", "logs", "*.log"))
	for _, path := range logs {
		lines, err := problemLines(path, FailureLogLines)
		switch {
		case err != nil:
			t.Logf("reading %s: %v", path, err)
		case len(lines) > 0:
			t.Logf("%s, last %d error and warning lines:\n%s", path, len(lines), strings.Join(lines, "\n"))
		}
	}
}

// problemLines returns the last n lines of the log at path that report an
// error or a warning: klog's "E1203 …" and "W1203 …", and Istio's
// tab-separated "error" and "warn" levels.
func problemLines(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var last []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !isProblem(line) {
			continue
		}
		if len(last) == n {
			last = append(last[:0], last[1:]...)
		}
		last = append(last, line)
	}
	return last, sc.Err()
}

func isProblem(line string) bool {
	if len(line) > 1 && (line[0] == 'E' || line[0] == 'W') && line[1] >= '0' && line[1] <= '9' {
		return true
	}
	return strings.Contains(line, "\terror\t") || strings.Contains(line, "\twarn\t")
}
