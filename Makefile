# stationflow: `make help` lists the targets.
GO       ?= go
BIN      := bin/stationflow
HTTP     ?= 127.0.0.1:8080

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

.PHONY: build
build: ## build bin/stationflow
	$(GO) build -o $(BIN) ./cmd/stationflow

.PHONY: postgres
postgres: ## make sure PostgreSQL answers on 127.0.0.1:5432
	@deploy/ensure-postgres.sh

.PHONY: dev
dev: postgres build ## run everything in one process: embedded Temporal + Web UI, worker, HTTP API
	$(BIN) dev

.PHONY: demo
demo: postgres build ## run the dev stack and load the 4,451-station demo province into it
	@set -e; $(BIN) dev & pid=$$!; trap 'kill $$pid 2>/dev/null; wait $$pid' INT TERM EXIT; \
	for i in $$(seq 1 120); do curl -fsS http://$(HTTP)/readyz >/dev/null 2>&1 && break; sleep 1; done; \
	$(BIN) demo seed; echo "demo province loaded; the stack keeps running (Ctrl-C stops it)"; wait $$pid

.PHONY: test
test: postgres ## go vet, then every test with -race against PostgreSQL and an embedded Temporal server
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m ./...

.PHONY: fuzz
fuzz: ## run each fuzz target for FUZZTIME (default 20s)
	@for t in $$(grep -l '^func Fuzz' $$(git ls-files '*_test.go') | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$t/*_test.go | sed 's/func //'); do \
	    echo "== $$t $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $${FUZZTIME:-20s} ./$$t || exit 1; \
	  done; done

.PHONY: bench
bench: postgres ## embedded Temporal throughput benchmarks
	$(GO) test -run '^$$' -bench . -benchtime 1x ./internal/devserver/

.PHONY: lint
lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

.PHONY: histories
histories: postgres ## re-record the workflow histories the replay tests check
	$(GO) test -count=1 ./api/ -record-histories

.PHONY: clean
clean: ## remove build output (not the dev data in .stationflow)
	rm -rf bin
