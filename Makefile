# labctl developer tasks. `make test` is what CI runs (see .ci/run).
GO        ?= go
BIN       ?= bin
RACE      ?= -race
PKGS      ?= ./...

.PHONY: all build install test fuzz test-integration lint testenv istiocheck bench bench-up bench-loadgen clean

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

## test-labs: labctl test --up --provider kwok of the sample labs (what CI runs)
test-labs: testenv
	bash hack/lab-test.sh

## lint: go vet and a gofmt check
lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## testenv: build kube-apiserver, controller-manager, scheduler, etcd and kwok into the cache
testenv:
	bash hack/testenv/build.sh

## istiocheck: Istio's validation and offline analyzers over every built-in lab, step by step,
## on top of its stack's objects (own module: hack/istiocheck)
ISTIOCHECK_LABS ?= $(wildcard labs/bookinfo)
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

## bench-loadgen: labctl load vs fortio, vegeta, hey and wrk on a local server
bench-loadgen:
	bash hack/bench-loadgen.sh

clean:
	rm -rf $(BIN)
