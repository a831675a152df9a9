package open

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
)

// browserCommand is the program that opens a URL on this OS.
func browserCommand(goos string) (string, []string) {
	switch goos {
	case "darwin":
		return "open", nil
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler"}
	default:
		return "xdg-open", nil
	}
}

// openBrowser starts the OS's URL opener and does not wait for the browser.
// The opener outlives the command's context: it only hands the URL over.
func openBrowser(ctx context.Context, url string) error {
	ctx = context.WithoutCancel(ctx)
	name, args := browserCommand(runtime.GOOS)
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%s not found", name)
	}
	cmd := exec.CommandContext(ctx, path, append(args, url)...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
