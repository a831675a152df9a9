package cli

import (
	"errors"
	"fmt"
)

// Exit codes: one rule for every labctl command.
const (
	// ExitOK: the command did what was asked (every check passed).
	ExitOK = 0
	// ExitFailure: the command ran and failed, or a check failed.
	ExitFailure = 1
	// ExitUsage: the command line was wrong (unknown command or flag,
	// missing or extra argument, a flag value that cannot work); nothing
	// was done.
	ExitUsage = 2
	// ExitInterrupted: Ctrl-C (SIGINT) or SIGTERM stopped the command
	// (128 + SIGINT, as shells report it).
	ExitInterrupted = 130
)

// ExitCodeHelp is the rule in words, for --help and the README.
const ExitCodeHelp = `Exit codes: 0 success; 1 failure (including a failed check);
2 bad command line (nothing was done); 130 interrupted by Ctrl-C or SIGTERM.`

// UsageError is bad command-line input found by a command itself (cobra's
// own flag and argument errors are classified by the root command).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// IsUsage reports whether err is bad command-line input.
func IsUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}
