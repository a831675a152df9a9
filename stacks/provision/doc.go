// Package provision implements `labctl up`, `down` and `status`: it takes
// the environment lock, runs the provider's preflight, makes the cluster
// ready, installs the stack's component graph and keeps the environment
// record up to date after every step, so an interrupted run resumes.
package provision
