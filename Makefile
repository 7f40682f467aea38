# qingdan — the two commands a newcomer needs are `make run` and `make test`.
# The Go release the project builds with (go.mod names it). The go command
# fetches it from the module proxy on a machine that has an older Go, so
# `make run` and `make test` stay the only commands a newcomer types.
export GOTOOLCHAIN := go1.27.3
GO        ?= go
BIN       ?= bin/qingdan
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# Tests use the PostgreSQL at QINGDAN_TEST_POSTGRES when set (CI sets it and
# QINGDAN_REQUIRE_POSTGRES=1, which turns a skipped PostgreSQL test into a failure).
TESTFLAGS ?= -timeout 15m

.PHONY: build run test lint vulncheck bench fuzz clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/qingdan

# Builds and serves the demo on http://127.0.0.1:8080 with ./data/qingdan.db.
run: build
	./$(BIN) serve

test:
	$(GO) vet ./...
	$(GO) test $(TESTFLAGS) ./...

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@if command -v staticcheck >/dev/null; then staticcheck ./...; else echo "staticcheck not installed (go install honnef.co/go/tools/cmd/staticcheck@latest)"; fi
	$(MAKE) vulncheck

# govulncheck against the Go vulnerability database as published in the
# golang.org/x/vulndb module (the vulnerability site is not reachable from
# every build machine): its OSV files are indexed once into bin/vulndb-…
# and govulncheck reads that. Fails on any vulnerability the code reaches.
VULNDB      := v0.0.0-20261105234957-e22db6528018
GOVULNCHECK := v1.9.0
vulncheck:
	@db=bin/vulndb-$(VULNDB); \
	if [ ! -f $$db/index/db.json ]; then \
	  src=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	  [ -d "$$src/data/osv" ] || { echo "vulncheck: golang.org/x/vulndb@$(VULNDB) has no data/osv"; exit 1; }; \
	  rm -rf $$db.tmp && $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB) -vulns $$src/data/osv -out $$db.tmp && mv $$db.tmp $$db; \
	fi; \
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK) -db file://$(CURDIR)/$$db ./...

# Benchmarks behind BENCHMARKS.md; see that file for each command and its figures.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# A short fuzz run of every fuzz target (go test allows one target per run).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 10s $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin
