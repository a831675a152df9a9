# labctl developer tasks. `make test` is what CI runs (see .ci/run).
GO        ?= go
BIN       ?= bin
RACE      ?= -race
PKGS      ?= ./...

.PHONY: all build install test fuzz test-integration lint testenv istiocheck bench bench-up bench-lab bench-loadgen e2e clean

all: build

## build: compile labctl into ./bin/labctl
build:
	$(GO) build -o $(BIN)/labctl ./cmd/labctl

## install: install labctl into $(go env GOPATH)/bin
install:
	$(GO) install ./cmd/labctl

## test: unit tests with the race detector (no Docker, no network)
test: fuzz
	$(GO) test $(RACE) -count=1 $(PKGS)

## fuzz: each decoder fuzzer for a bounded number of inputs (FUZZTIME each), seeded with the hostile inputs of issue 13.
## A count, not a duration: with a duration, Go's fuzz coordinator (up to go1.26) can report a spurious
## "context deadline exceeded" when the deadline fires while a worker is mid-input (golang/go#75804).
## -timeout still fails loudly if one input hangs.
FUZZTIME ?= 10000x
FUZZERS  ?= stacks:FuzzParseStack stacks:FuzzSet verify:FuzzParseCheckSet labs:FuzzDecode labs:FuzzParseObjects
fuzz:
	@set -e; for f in $(FUZZERS); do pkg=$${f%%:*}; name=$${f#*:}; \
	  echo "fuzz $$name ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -timeout 5m ./$$pkg; done

## test-integration: end-to-end tests against a real simulated control plane (builds it first):
## labctl up/down/status on kwok, then the packages' API-server tests on one shared cluster
test-integration: testenv
	$(GO) test $(RACE) -count=1 -p 1 -tags integration -timeout 30m ./test/integration/... ./stacks/...
	RACE=$(RACE) bash hack/kube-integration.sh

## test-labs: labctl test --up --provider kwok of every lab, one suite per stack (what CI runs)
test-labs: testenv
	bash hack/lab-test.sh

## lint: go vet, a gofmt check, and actionlint over .github/workflows (built by `go tool` from
## hack/tools at the version its go.mod pins: a clean clone needs only the Go module proxy).
## With shellcheck on PATH, actionlint checks the workflows' scripts and hack/e2e.sh is checked too.
WORKFLOWS  = $(wildcard .github/workflows/*.yml)
LINT_SHELL = hack/e2e.sh
lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) -C hack/tools tool actionlint $(abspath $(WORKFLOWS))
	@if command -v shellcheck >/dev/null; then echo "shellcheck $(LINT_SHELL)"; shellcheck $(LINT_SHELL); \
	  else echo "lint: shellcheck is not on PATH: the workflows' run scripts and $(LINT_SHELL) were not shell-checked (apt-get install shellcheck)"; fi

## testenv: build kube-apiserver, controller-manager, scheduler, etcd and kwok into the cache
testenv:
	bash hack/testenv/build.sh

## istiocheck: Istio's validation and offline analyzers over every built-in lab, step by step,
## on top of its stack's objects (own module: hack/istiocheck)
ISTIOCHECK_LABS ?= $(wildcard labs/bookinfo labs/travels labs/boutique)
istiocheck:
	cd hack/istiocheck && $(GO) vet ./... && $(GO) test -count=1 ./...
	@if [ -z "$(ISTIOCHECK_LABS)" ]; then echo "istiocheck: no lab folders to check yet"; else \
	  cd hack/istiocheck && $(GO) run . $(foreach d,$(ISTIOCHECK_LABS),-labs ../../$(d)); fi

## bench: Go benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## bench-up: labctl up vs one-at-a-time helm install --wait on the simulated cluster
bench-up: testenv
	bash hack/bench-up.sh

## bench-lab: lab reset and lab goto of a 10-object lab on the simulated cluster (medians vs the goals)
bench-lab: testenv
	bash hack/bench-lab.sh

## bench-loadgen: labctl load vs fortio, vegeta, hey and wrk on a local server, with the machine's wake and spin floors
bench-loadgen:
	bash hack/bench-loadgen.sh

## e2e: the end-to-end runs of .github/workflows/e2e.yml on this machine (needs Docker and internet):
## labctl up on kind, smoke checks through the ingress, labctl test of the run's labs, labctl down.
## E2E_RUNS picks runs (hack/e2e.sh list shows them; default: all, which takes hours); reports in ./e2e-reports.
E2E_RUNS ?=
e2e:
	@if [ -n "$(E2E_RUNS)" ]; then bash hack/e2e.sh run $(E2E_RUNS); else bash hack/e2e.sh all; fi

clean:
	rm -rf $(BIN)
