# Vigil's build. `make demo` runs the main job, `make test` every test.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/vigilsec/vigil/internal/version.Version=$(VERSION) \
           -X github.com/vigilsec/vigil/internal/version.Commit=$(COMMIT)
# Test timeout per package: DuckDB's tests link a large static library.
TEST_TIMEOUT ?= 20m
FUZZTIME ?= 20s

.PHONY: all build sensor demo test vet fuzz generate bench clean

all: build sensor

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/vigil ./cmd/vigil

# The sensor builds alone, static and without cgo.
sensor:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/vigil-sensor ./cmd/vigil-sensor

demo: build
	./bin/vigil demo $(DEMO_FLAGS)

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l cmd internal); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

test: vet
	$(GO) test -timeout $(TEST_TIMEOUT) ./...

# Short fuzzing runs of every fuzz target (go test -fuzz takes one at a time).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

generate:
	cd internal/schema && $(GO) generate

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./internal/store/...

clean:
	rm -rf bin
