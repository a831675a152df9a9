// Command e2e plans the end-to-end runs on real clusters that
// hack/e2e.sh performs and .github/workflows/e2e.yml spreads over GitHub
// runners: one run per built-in stack in its own mesh mode, one per other
// (stack, mode) pair some lab needs, the default stack at the oldest and
// the newest Istio minor of the version lock, and the default stack in
// Gateway API ingress mode. Each run names the labs `labctl test` runs on it
// and the smoke checks that prove every app answers through the ingress.
//
// The plan comes from the same embedded stacks, version lock and labs as
// the labctl binary, so the workflow, `make e2e` and the lock cannot drift:
//
//	go run ./hack/e2e matrix        # {"include":[...]} for a GitHub matrix
//	go run ./hack/e2e list          # one run a line, tab-separated, for hack/e2e.sh
//	go run ./hack/e2e checks RUN    # the smoke CheckSet of one run
//	go run ./hack/e2e node-image    # the kind node image of the lock
package main
