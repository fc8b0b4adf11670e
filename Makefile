# pubsubctl — see README.md. Every target works on a fresh clone with Go installed.
GO      ?= go
BIN     ?= bin/pubsubctl
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/pubsubctl/pubsubctl/internal/cli.Version=$(VERSION)

.PHONY: all build test test-short test-interop lint fuzz bench bench-scale demo clean

all: lint test

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/pubsubctl

## test: the whole test suite (unit, golden, CLI scenarios against the embedded emulator).
test:
	$(GO) test -count=1 -timeout 15m ./...

test-short:
	$(GO) test -short ./...

## test-interop: foreign clients against the embedded emulator: the official Node.js @google-cloud/pubsub v5, and a
## FastAPI app verifying its push OIDC tokens with Python google-auth (interop/run.sh [node] [python]).
test-interop:
	bash interop/run.sh

## lint: gofmt check + go vet + go.mod/go.sum tidy.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

## fuzz: a short fuzzing smoke of every fuzz target.
FUZZTIME ?= 15s
fuzz:
	$(GO) test ./internal/filter -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1s
	$(GO) test ./internal/config -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1s
	$(GO) test ./internal/emulator -run '^$$' -fuzz '^FuzzAvro$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1s
	$(GO) test ./internal/emulator -run '^$$' -fuzz '^FuzzSchemaDefinition$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1s
	$(GO) test ./internal/export -run '^$$' -fuzz '^FuzzRoundTrip$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1s
	$(GO) test ./internal/savedplan -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1s
	$(GO) test ./apply -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 1s

## bench: plan/apply/emulator benchmarks (slow; see the notes in README.md).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

## bench-scale: whole-process seconds and peak RSS of validate/plan/apply at N = 1,000 and 10,000 topics+subscriptions
## against emulators, next to a direct-RPC baseline (internal/benchscale; under 10 minutes; not part of make test).
bench-scale:
	$(GO) build -o $(BIN) ./cmd/pubsubctl
	$(GO) run ./internal/benchscale -bin $(BIN)

## demo: start the embedded emulator, plan examples/shop, apply it, and show that a second plan has no changes.
demo: build
	bash examples/demo.sh $(BIN)

clean:
	rm -rf bin
