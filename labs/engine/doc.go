// Package engine runs labs in an environment: start (snapshot the lab's
// scope, prepare the baseline), show a step, check it, hints, solve, next,
// goto, reset and stop. It is a library that prints nothing: every
// operation returns data (the step, check results, progress) that the CLI
// renders and that a web front-end can drive the same way.
//
// Resets converge in place. The desired state at the start of step N is
// what the lab found (its scope snapshot) plus the baseline plus the
// solutions of steps 1..N-1: the engine applies it (server-side apply,
// field manager FieldManager, forced), deletes every object of the lab's
// scope that is not in it (objects the learner made with kubectl too),
// puts back namespace labels, restarts workloads whose injection changed
// and waits for the baseline's readiness checks. Objects the lab applied
// are members of a KEP-3659 ApplySet (labs/applyset), so kubectl sees them.
//
// Progress lives in the environment's state record (internal/state),
// changed under its lock, so it survives restarts of labctl.
package engine
