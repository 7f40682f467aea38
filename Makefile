# qingdan — the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
BIN       ?= bin/qingdan
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# Tests use the PostgreSQL at QINGDAN_TEST_POSTGRES when set (CI sets it and
# QINGDAN_REQUIRE_POSTGRES=1, which turns a skipped PostgreSQL test into a failure).
TESTFLAGS ?= -timeout 15m

.PHONY: build run test lint bench fuzz clean

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
