package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"time"
)

// Bounds on the network: one request, and the whole refresh.
const (
	requestTimeout = 30 * time.Second
	refreshTimeout = 5 * time.Minute
	maxBody        = 64 << 20
)

type httpFetcher struct{ client *http.Client }

func (h httpFetcher) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxBody))
}

func main() {
	lockPath := flag.String("lock", "stacks/versions.yaml", "the version lock to refresh")
	dryRun := flag.Bool("dry-run", false, "print the changes without writing the lock")
	add := flag.Bool("add", false, "add a newer Istio minor (and drop the oldest)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	if err := run(ctx, httpFetcher{client: &http.Client{Timeout: requestTimeout}}, *lockPath, *dryRun, *add, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "refresh-versions:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, f fetcher, lockPath string, dryRun, add bool, out io.Writer) error {
	src, err := os.ReadFile(lockPath)
	if err != nil {
		return fmt.Errorf("reading the lock: %w (run from labctl's repository root or pass -lock)", err)
	}
	doc, err := parseLock(src)
	if err != nil {
		return fmt.Errorf("%s: %w", lockPath, err)
	}
	res, err := refresh(ctx, f, doc, add)
	if err != nil {
		return err
	}
	for _, p := range res.problems {
		fmt.Fprintf(out, "could not confirm: %s (left as it was)\n", p)
	}
	if len(res.changes) == 0 {
		fmt.Fprintf(out, "%s is current\n", lockPath)
		return nil
	}
	for _, c := range res.changes {
		fmt.Fprintln(out, "changed:", c)
	}
	if dryRun {
		fmt.Fprintln(out, "dry run: the lock was not written")
		return nil
	}
	b, err := doc.bytes()
	if err != nil {
		return err
	}
	if err := os.WriteFile(lockPath, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s: run `make test` (the lock test checks every release), then `make testenv` to regenerate the test chart repository\n", lockPath)
	return nil
}
