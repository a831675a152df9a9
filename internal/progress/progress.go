package progress

// Logger writes leveled messages. Warnings are always shown; V(n) messages
// only when the logger's verbosity is at least n.
type Logger interface {
	// Warnf reports something the user should know about.
	Warnf(format string, args ...any)
	// V returns the logger for detail level n (0: normal output).
	V(level int) InfoLogger
}

// InfoLogger writes messages of one detail level.
type InfoLogger interface {
	// Enabled reports whether messages at this level are shown, so callers
	// can skip building expensive ones.
	Enabled() bool
	Infof(format string, args ...any)
}

// Status reports tasks, each named by a key, as they start and end.
// Several tasks may be in flight at once. Whoever makes a Status closes it;
// code handed one (a cluster provider) only starts and ends tasks.
type Status interface {
	// Start announces task key.
	Start(key, msg string)
	// Done ends task key successfully; a non-empty msg replaces the start message.
	Done(key, msg string)
	// Fail ends task key with a failure.
	Fail(key, msg string)
	// Skip ends task key that had nothing to do.
	Skip(key, msg string)
	// Info prints a line tied to no task.
	Info(msg string)
	// Close ends the report; tasks still open are left unreported.
	Close()
}

// Discard returns a Logger that drops every message.
func Discard() Logger { return discard{} }

// NoStatus returns a Status that reports nothing.
func NoStatus() Status { return noStatus{} }

// OrDiscard returns l, or Discard() when l is nil.
func OrDiscard(l Logger) Logger {
	if l == nil {
		return Discard()
	}
	return l
}

// OrNoStatus returns s, or NoStatus() when s is nil.
func OrNoStatus(s Status) Status {
	if s == nil {
		return NoStatus()
	}
	return s
}

type discard struct{}

func (discard) Warnf(string, ...any) {}
func (discard) V(int) InfoLogger     { return discard{} }
func (discard) Enabled() bool        { return false }
func (discard) Infof(string, ...any) {}

type noStatus struct{}

func (noStatus) Start(string, string) {}
func (noStatus) Done(string, string)  {}
func (noStatus) Fail(string, string)  {}
func (noStatus) Skip(string, string)  {}
func (noStatus) Info(string)          {}
func (noStatus) Close()               {}
