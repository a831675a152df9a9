package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) FailNow()              { r.failed = true; panic(r) }
func (r *recorder) Fatalf(string, ...any) { r.FailNow() }
func (r *recorder) Name() string          { return "recorder" }
func (r *recorder) Logf(string, ...any)   {}
func (r *recorder) Fail()                 { r.failed = true }
func (r *recorder) Failed() bool          { return r.failed }
func (r *recorder) Cleanup(func())        {}
func (r *recorder) Setenv(string, string) {}
func (r *recorder) TempDir() string       { return "" }
func (r *recorder) Skipf(string, ...any)  {}
func (r *recorder) Log(...any)            {}
func (r *recorder) Error(...any)          { r.failed = true }
func (r *recorder) Fatal(...any)          { r.FailNow() }

func run(name string, got []byte) (failed bool) {
	r := &recorder{}
	defer func() {
		if p := recover(); p != nil && p != r {
			panic(p)
		}
		failed = r.failed
	}()
	Assert(r, name, got)
	return r.failed
}

func TestAssert(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll(filepath.Join(dir, "testdata"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "testdata", "out.golden"), []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if run("out.golden", []byte("same\n")) {
		t.Error("equal output failed")
	}
	if !run("out.golden", []byte("other\n")) {
		t.Error("different output passed")
	}
	if !run("missing.golden", []byte("x")) {
		t.Error("a missing golden file passed")
	}
}
