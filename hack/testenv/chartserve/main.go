// Command chartserve serves a Helm chart repository directory (index.yaml
// plus archives, as written by chartrepo) over HTTP on 127.0.0.1 until it
// is stopped, and prints the repository URL on stdout. hack/bench-up.sh
// uses it; Go tests use internal/testenv.NewChartRepo instead.
//
// Usage: go run ./chartserve -dir DIR [-addr 127.0.0.1:0]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// shutdownTimeout bounds the graceful stop after SIGINT/SIGTERM.
const shutdownTimeout = 5 * time.Second

func main() {
	dir := flag.String("dir", "", "chart repository directory holding index.yaml (required)")
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	if err := run(*dir, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "chartserve:", err)
		os.Exit(1)
	}
}

func run(dir, addr string) error {
	if _, err := os.Stat(filepath.Join(dir, "index.yaml")); err != nil {
		return fmt.Errorf("%s is not a chart repository: %w (run `make testenv`)", dir, err)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("http://%s\n", l.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
