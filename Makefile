# kairo — make help lists every target.
SHELL := /bin/bash
GO ?= go
BIN := bin/kairo
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME ?= 30s
BENCHCOUNT ?= 1
TEST_TIMEOUT ?= 14m
export KAIRO_FIXTURES ?= $(abspath ../shared/fixtures)

.DEFAULT_GOAL := help

.PHONY: help build test test-race bench fuzz lint conformance demo clean

help: ## List the targets
	@awk 'BEGIN{FS=":.*## "} /^[a-zA-Z_-]+:.*## /{printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build bin/kairo
	$(GO) build -o $(BIN) ./cmd/kairo

test: ## Run every test, the conformance suite included when ../shared/fixtures exists
	$(GO) test -timeout $(TEST_TIMEOUT) ./...

test-race: ## Run the tests under the race detector (short mode)
	$(GO) test -race -short -timeout 20m ./...

bench: ## Run the benchmarks (BENCHCOUNT=n for repeats, compare with benchstat)
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) -timeout 60m ./...

fuzz: ## Run every Fuzz target for FUZZTIME each (default 30s)
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for fn in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "== $$pkg $$fn"; \
	    $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

lint: ## gofmt, go vet and staticcheck (pinned)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

conformance: ## Run the cairo-run conformance suite with the programs cairo-run could not finish (counts per source), and the 1,000-transfer block
	@KAIRO_CONFORMANCE_LONG=1 $(GO) test -timeout 30m -count=1 -run '^TestConformance$$' -v ./vm/runner | grep -vE '^(=== |    --- (PASS|SKIP))'; exit $${PIPESTATUS[0]}
	KAIRO_CONFORMANCE_LONG=1 $(GO) test -timeout 30m -count=1 -run '^TestERC20BlockParallel$$' ./sequencer/txn

demo: build ## Assemble and run the bundled fibonacci program
	$(BIN) asm fixtures/asm/fibonacci.casm -o bin/fibonacci.json
	$(BIN) run bin/fibonacci.json --layout small --print_output --print_info

clean: ## Remove build outputs
	rm -rf bin
