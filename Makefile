# fleetgen: render the example inventory and run every test.
GO       ?= go
BIN      := bin/fleetgen
FUZZTIME ?= 20s

.PHONY: all build render check validate test vet fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/fleetgen

## render: render environments/ into out/ (commit the result)
render: build
	./$(BIN) render

## check: fail (exit 2) when out/ is not what environments/ renders
check: build
	./$(BIN) check

validate: build
	./$(BIN) validate

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }

## test: every test, the real-program checks and a bounded fuzz run (minimizing
## is capped: the default of 60 s per new input would eat the whole budget)
test: vet
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory fuzz

## fuzz: run each fuzz target for FUZZTIME, one after the other, on top of
## its seed corpus (make fuzz FUZZTIME=10m for a long run). A crasher is
## written to the package's testdata/fuzz/ and fails the run: fix it and
## commit the file as a seed.
FUZZ_TARGETS := ./inventory/:FuzzLoad ./render/:FuzzRender

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
	  $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=10x $$pkg; \
	done

clean:
	rm -rf bin
