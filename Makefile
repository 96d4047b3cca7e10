# Accolade make targets. `make help` lists them.
SHELL := /bin/bash
GO ?= go
BIN := bin/accolade
PKGS := ./...
# Third-party test suites (and extra contexts) may live in shared/ beside the
# checkout; without them the tests that need them are skipped and listed.
SHARED ?= $(abspath $(wildcard ../shared))
export ACCOLADE_CONTEXTS_DIR ?= $(if $(SHARED),$(SHARED)/contexts:$(SHARED)/testdata/ob3/schema,)
export ACCOLADE_TESTDATA_DIR ?= $(if $(SHARED),$(SHARED)/testdata,)
# The store conformance suite runs against a real Redis (each test uses its own key prefix).
export ACCOLADE_TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-18s %s\n", $$1, $$2}'

# JSON-LD contexts bundled into the binary: extracted from their publishers'
# npm packages (pinned by ldcontext/bundle/package-lock.json) and checked
# against the digests pinned in ldcontext/pinned.go. Build output, not committed.
BUNDLE := ldcontext/bundled/index.json
$(BUNDLE): ldcontext/bundle/package.json ldcontext/bundle/package-lock.json ldcontext/bundle/extract.cjs ldcontext/pinned.go
	cd ldcontext/bundle && npm ci --no-audit --no-fund --loglevel=error
	node ldcontext/bundle/extract.cjs
	$(GO) run ./ldcontext/internal/bundlecheck || { rm -f $@; exit 1; }

.PHONY: contexts
contexts: $(BUNDLE) ## bundle the pinned JSON-LD contexts from npm (needs node and npm)

.PHONY: build
build: contexts ## build bin/accolade (with the bundled contexts)
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/accolade

.PHONY: run
run: build ## run the service on 127.0.0.1:8080 (or ACCOLADE_PUBLIC_URL / ACCOLADE_ADDR) with embedded storage in ./data
	./$(BIN) serve

# Where make install puts accolade: GOBIN, else GOPATH/bin.
BINDIR ?= $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)
.PHONY: install
install: build ## copy accolade to BINDIR (default: go env GOBIN, else GOPATH/bin)
	install -d $(BINDIR)
	install -m 0755 $(BIN) $(BINDIR)/accolade
	@echo "installed $(BINDIR)/accolade"

.PHONY: readme
readme: ## copy the examples of docs/examples.sh into README.md
	$(GO) test -count=1 ./docs -run TestREADMEExamples -update

.PHONY: fresh-clone-check
fresh-clone-check: ## clone HEAD into an empty folder, make run there, run every README example (FRESH_CLONE_TEST=1: make test too)
	scripts/fresh-clone-check

# Digital Bazaar's JavaScript VC stack, for the interop tests (pinned by package-lock.json).
interop/js/node_modules/.package-lock.json: interop/js/package-lock.json interop/js/package.json
	cd interop/js && npm ci --no-audit --no-fund --loglevel=error

# puppeteer-core drives Debian's Chromium for the badge page browser test (no bundled browser).
interop/browser/node_modules/.package-lock.json: interop/browser/package-lock.json interop/browser/package.json
	cd interop/browser && npm ci --no-audit --no-fund --loglevel=error

# oid4vc-ts (@openid4vc/openid4vp), an OpenID4VP 1.0 wallet library, for the verifier interop test.
interop/oid4vp/node_modules/.package-lock.json: interop/oid4vp/package-lock.json interop/oid4vp/package.json
	cd interop/oid4vp && npm ci --no-audit --no-fund --loglevel=error

.PHONY: interop-deps
interop-deps: interop/js/node_modules/.package-lock.json interop/browser/node_modules/.package-lock.json interop/oid4vp/node_modules/.package-lock.json ## install the npm packages of the interop harnesses and the browser test

.PHONY: test
test: contexts interop-deps ## run every test with the race detector, then each benchmark once
	$(GO) vet $(PKGS)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	@report=$$(mktemp); trap 'rm -f "$$report"' EXIT; export ACCOLADE_TESTDATA_REPORT="$$report"; \
	  if [ -z "$$ACCOLADE_TESTDATA_DIR" ]; then \
	    echo "NOTE: ACCOLADE_TESTDATA_DIR is not set and ../shared/testdata is not beside the checkout:"; \
	    echo "      the tests that need third-party suites are skipped and listed at the end."; fi; \
	  echo "$(GO) test -race -count=1 -timeout 20m $(PKGS)"; \
	  $(GO) test -race -count=1 -timeout 20m $(PKGS) && \
	  echo "$(GO) test -run '^\$$' -bench . -benchtime=1x -count=1 $(PKGS) > /dev/null" && \
	  $(GO) test -run '^$$' -bench . -benchtime=1x -count=1 $(PKGS) > /dev/null; rc=$$?; \
	  if [ -s "$$report" ]; then \
	    echo "================================================================"; \
	    echo "Tests that did NOT run (skipped: what they need is not here):"; \
	    sort -u -t "$$(printf '\t')" -k1,1 "$$report" | sed 's/^/  - /; s/\t/: /'; \
	    echo "With CI=true a missing need fails its tests instead."; \
	    echo "================================================================"; \
	  fi; exit $$rc

.PHONY: test-redis
test-redis: ## run only the Redis-backed tests
	$(GO) test -race -count=1 -run Redis ./store/... ./cmd/...

.PHONY: bench
bench: ## run the benchmarks with allocation figures
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)

.PHONY: bench-http
bench-http: build interop-deps ## issue Data Integrity credentials over HTTP (bolt, Redis) and compare with Digital Bazaar's in-process rate
	BIN=$(BIN) scripts/bench-http.sh

FUZZTIME ?= 15s
.PHONY: fuzz
fuzz: ## run each fuzz target for FUZZTIME (default 15s)
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

.PHONY: soak
soak: ## long runs: a million Data Integrity signatures with a flat heap
	$(GO) test -tags soak -run Soak -count=1 -timeout 60m -v ./proof/di/

# golangci-lint, pinned. Installed with go install into bin/ rather than as a
# tool directive in go.mod: v2.15.0 requires newer go-isatty and go-toml/v2
# than gin pins, and one module would raise them in the product binary too.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := bin/golangci-lint-$(GOLANGCI_LINT_VERSION)
$(GOLANGCI_LINT):
	@mkdir -p bin/.golangci-lint
	GOBIN=$(abspath bin/.golangci-lint) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	mv bin/.golangci-lint/golangci-lint $@

.PHONY: lint
lint: $(GOLANGCI_LINT) ## run golangci-lint v2.15.0 with .golangci.yml (vet, gofmt, staticcheck, gosec, ...); fails on any finding
	$(GOLANGCI_LINT) run ./...

.PHONY: clean
clean: ## remove build output (not ./data)
	rm -rf bin ldcontext/bundle/node_modules
	rm -f ldcontext/bundled/*.json
