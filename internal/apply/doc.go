// Package apply server-side applies a set of Kubernetes objects and records
// them in the environment record before the first write, so that an
// interrupted run (Ctrl-C, a crash, a failed apply) can still be cleaned up
// by `labctl down` or a lab reset.
//
// Apply works in three phases: it maps every object to its resource and
// reads what exists (an unknown kind or a namespace being deleted stops it
// before anything is written), hands the Plan (the objects it will create,
// the labels it will add to namespaces that exist) to the Recorder, and only
// then applies each object with the field manager (DefaultFieldManager
// unless set). The stack installer and the lab engine each pass their own
// field manager.
//
// Namespaces are created, or have their labels merged in, rather than
// server-side applied: several components share a namespace, and an apply
// that omits a label its manager set before would take it off.
package apply
