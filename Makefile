# stationflow. `make help` lists the targets; each is described by the
# `## ` comment on its line.

# Go is at /usr/local/go on the usual machine; use it when it is not on PATH.
ifeq ($(shell command -v go 2>/dev/null),)
export PATH := /usr/local/go/bin:$(PATH)
endif

GO       ?= go
BIN      ?= bin/stationflow
# the production binary: worker, api, migrate, token, demo and audit, without
# the embedded Temporal server, its Web UI and the benches (as the images build it)
PROD_BIN ?= bin/stationflow-prod
# the development build: `stationflow dev`, `temporal` and `bench`, and the
# tests that run them
DEV_TAGS := -tags dev
# extra flags for `stationflow dev` in `make dev` and `make demo`, e.g. ARGS='--workday 2s'
ARGS     ?=
# where `make demo` waits for the API to be ready
HTTP_ADDR ?= $(or $(STATIONFLOW_HTTP_ADDR),127.0.0.1:8080)
# how long `make fuzz` runs each fuzz target
FUZZTIME ?= 20s

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

.PHONY: build
build: ## build bin/stationflow, the development build (dev, temporal and bench included)
	$(GO) build $(DEV_TAGS) -o $(BIN) ./cmd/stationflow

.PHONY: build-prod
build-prod: ## build bin/stationflow-prod, the production build of the images (no embedded Temporal)
	CGO_ENABLED=0 $(GO) build -o $(PROD_BIN) ./cmd/stationflow

.PHONY: postgres
postgres: ## make sure PostgreSQL answers on 127.0.0.1:5432 (starts the local cluster if needed)
	@bash deploy/ensure-postgres.sh

.PHONY: dev
dev: postgres build ## run stationflow dev: embedded Temporal server + Web UI, worker and HTTP API in one process
	$(BIN) dev $(ARGS)

# `stationflow dev` runs in the background of the recipe's shell, which
# ignores Ctrl-C for background jobs; the trap passes it on as SIGTERM, and
# the recipe then waits for dev to finish shutting down.
.PHONY: demo
demo: postgres build ## run stationflow dev with the demo province loaded (Ctrl-C stops it)
	@command -v curl >/dev/null || { echo "make demo needs curl" >&2; exit 1; }; \
	$(BIN) dev $(ARGS) & pid=$$!; \
	trap 'kill -TERM $$pid 2>/dev/null' INT TERM; \
	echo "waiting for http://$(HTTP_ADDR)/readyz"; \
	n=0; \
	until curl -fsS -o /dev/null "http://$(HTTP_ADDR)/readyz" 2>/dev/null; do \
	  if ! kill -0 $$pid 2>/dev/null; then \
	    wait $$pid; echo "stationflow dev stopped before it was ready" >&2; exit 1; \
	  fi; \
	  n=$$((n + 1)); \
	  if [ $$n -ge 180 ]; then \
	    echo "stationflow dev was not ready after 180s" >&2; kill -TERM $$pid; wait $$pid; exit 1; \
	  fi; \
	  sleep 1; \
	done; \
	if ! $(BIN) demo seed; then kill -TERM $$pid 2>/dev/null; wait $$pid; exit 1; fi; \
	echo "demo province loaded; stationflow dev keeps running (Ctrl-C stops it)"; \
	rc=0; while kill -0 $$pid 2>/dev/null; do wait $$pid; rc=$$?; done; exit $$rc

.PHONY: test
test: postgres ## go vet of both builds, then every test with -race (PostgreSQL on 127.0.0.1:5432, embedded Temporal)
	$(GO) vet ./...
	$(GO) vet $(DEV_TAGS) ./...
	$(GO) test $(DEV_TAGS) -race -count=1 -timeout 30m ./...

.PHONY: lint
lint: ## gofmt check and go vet
	@files=$$(gofmt -l .); if [ -n "$$files" ]; then echo "not gofmt-formatted:"; echo "$$files"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet $(DEV_TAGS) ./...

# One `go test -fuzz` run per target: -fuzz takes one target per package
# run. Minimising an input that finds new code is bounded by
# FUZZMINIMIZETIME (default 5s): coverage that cannot be seen again (code
# run once per process, such as filling a cache) keeps the minimiser going
# to the limit, and go's default of 60s would eat all of FUZZTIME. Every
# target runs even when one fails, and the failed ones are listed at the
# end; go test writes each failing input to testdata/fuzz/<target>/ in its
# package, where `make test` runs it again with the seed corpora. A run that
# fails only with "context deadline exceeded" at the end of FUZZTIME, with
# no failing input written, is the race of Go's fuzzing coordinator fixed in
# Go 1.27 (go.dev/issue/75804): it is reported, not counted as a failure.
.PHONY: fuzz
fuzz: ## run each fuzz target for FUZZTIME (default 20s); their seed corpora also run in `make test`
	@failed=""; raced=""; count=0; start=$$(date +%s); log=$$(mktemp); trap 'rm -f "$$log" "$$log.rc"' EXIT; \
	for file in $$(grep -rl --include='*_test.go' --exclude-dir=.git '^func Fuzz' . | sort); do \
	  pkg=$$(dirname "$$file"); \
	  for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$$file"); do \
	    count=$$((count + 1)); \
	    echo "== $$pkg $$target"; \
	    { $(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) \
	      -fuzzminimizetime $(or $(FUZZMINIMIZETIME),5s) "$$pkg" 2>&1; echo $$? > "$$log.rc"; } | tee "$$log"; \
	    if [ "$$(cat "$$log.rc")" = 0 ]; then :; \
	    elif grep -q '^    context deadline exceeded$$' "$$log" && ! grep -q -e 'Failing input written' -e '^    --- FAIL' "$$log"; then \
	      raced="$$raced $$pkg:$$target"; \
	    else failed="$$failed $$pkg:$$target"; fi; \
	  done; \
	done; \
	echo "fuzz: $$count targets, $$(( $$(date +%s) - start ))s"; \
	if [ -n "$$raced" ]; then echo "fuzz: stopped by go.dev/issue/75804, no failing input:$$raced"; fi; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed" >&2; exit 1; fi

.PHONY: bench
bench: postgres ## benchmarks: embedded Temporal throughput; CSV import rows/s against psql \copy
	$(GO) test -run '^$$' -bench . -benchtime 1x ./internal/devserver/
	$(GO) test -run '^$$' -bench BenchmarkImportCSV -benchtime 3x ./internal/store/

.PHONY: fault
fault: ## the fault test, three times in a row: SIGKILLed worker, restarted Temporal and PostgreSQL during a cycle
	$(GO) test -tags fault,dev -count=3 -run TestFaultsDuringACycleLoseNothing -timeout 60m -v ./cmd/stationflow/

STATIONS ?= 4451
.PHONY: bench-cycle
bench-cycle: postgres ## an annual cycle of STATIONS stations against a bare SignalWithStart baseline, to the end
	$(GO) run $(DEV_TAGS) ./cmd/stationflow bench cycle --stations $(STATIONS)

# A committed history is never overwritten by default: a workflow change
# that breaks its replay needs workflow.GetVersion. OVERWRITE=1 re-records
# every history deliberately.
.PHONY: histories
histories: postgres ## record the workflow histories the replay tests check that are not committed yet (OVERWRITE=1: all of them)
	$(GO) test -count=1 -run . ./api/ -record-histories $(if $(OVERWRITE),-overwrite-histories)

# sqlc is run from its module at a fixed version, not required by go.mod:
# the generated code is committed, so neither build nor CI needs it. Its
# first build takes a few minutes (it links a PostgreSQL parser with cgo).
SQLC ?= $(GO) run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1
.PHONY: sqlc
sqlc: ## regenerate internal/store/db from internal/store/queries/*.sql (sqlc.yaml)
	$(SQLC) generate

.PHONY: clean
clean: ## remove build output (not the dev state in .stationflow)
	rm -rf bin
