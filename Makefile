# fleetgen: render the example inventory and run every test.
GO       ?= go
BIN      := bin/fleetgen
FUZZTIME ?= 20s

.PHONY: all build render check validate fmt test vet fuzz clean docs

all: build

build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/fleetgen

## render: render environments/ into out/ (commit the result)
render: build
	./$(BIN) render

## check: fail (exit 2) when out/ is not what environments/ renders
check: build
	./$(BIN) check

validate: build
	./$(BIN) validate

## fmt: rewrite the inventory in the canonical HCL layout (CI fails otherwise)
fmt: build
	./$(BIN) fmt

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }

## test: every test, the real-program checks, the parallel renderers and
## writer under the race detector, and a bounded fuzz run (minimizing is
## capped: the default of 60 s per new input would eat the whole budget)
test: vet
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory race
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

## docs: regenerate docs/cli, one page per command, from the command tree
## (a test fails when the committed pages are stale)
docs:
	$(GO) run ./cmd/fleetgen docs docs/cli

## plan / apply: the Terraform layers of out/$(ENV)/terraform, in order, each
## `init` then `plan` (apply: plan to a file, then apply exactly that plan).
## LAYER=<layer> limits the run to one layer. See docs/terraform.md.
TERRAFORM ?= terraform
TF_LAYERS := 1-cluster 2-cluster-post-installation 3-route53-registration
TF_ENVS    = $(sort $(patsubst out/%/terraform,%,$(wildcard out/*/terraform)))
# Working data (.terraform, plan files) stays out of the rendered tree.
TF_DATA    = $(CURDIR)/.terraform/$(ENV)/$(1)

# tf_check stops make, before any command runs, on a missing or unknown
# ENV or an unknown LAYER; the values then only name existing folders.
tf_check = $(if $(ENV),,$(error ENV is required: make $@ ENV=<env> [LAYER=<layer>]; environments: $(TF_ENVS)))$(if $(filter-out $(TF_ENVS),$(ENV))$(word 2,$(ENV)),$(error unknown ENV "$(ENV)": no out/$(ENV)/terraform; environments: $(TF_ENVS)))$(if $(filter-out $(TF_LAYERS),$(LAYER))$(word 2,$(LAYER)),$(error unknown LAYER "$(LAYER)"; layers: $(TF_LAYERS)))

# The blank line before endef ends each layer's commands with a newline, so
# $(foreach) yields one recipe line per command.
define tf_plan
TF_DATA_DIR=$(TF_DATA) $(TERRAFORM) -chdir=out/$(ENV)/terraform/$(1) init -input=false
TF_DATA_DIR=$(TF_DATA) $(TERRAFORM) -chdir=out/$(ENV)/terraform/$(1) plan -input=false

endef

define tf_apply
TF_DATA_DIR=$(TF_DATA) $(TERRAFORM) -chdir=out/$(ENV)/terraform/$(1) init -input=false
TF_DATA_DIR=$(TF_DATA) $(TERRAFORM) -chdir=out/$(ENV)/terraform/$(1) plan -input=false -out=$(TF_DATA)/fleetgen.tfplan
TF_DATA_DIR=$(TF_DATA) $(TERRAFORM) -chdir=out/$(ENV)/terraform/$(1) apply -input=false $(TF_DATA)/fleetgen.tfplan

endef

.PHONY: plan apply

plan:
	$(tf_check)$(foreach l,$(or $(LAYER),$(TF_LAYERS)),$(call tf_plan,$(l)))

apply:
	$(tf_check)$(foreach l,$(or $(LAYER),$(TF_LAYERS)),$(call tf_apply,$(l)))

## charts: download the charts of hydrated environments into charts/ and
## lock their digests (render never downloads); commit charts/ with out/
.PHONY: charts
charts: build
	./$(BIN) charts pull

## race: the renderers run from many goroutines at once, and the writer and
## check, which walk out/ on several goroutines, under the race detector
## (render.Render runs environments, families and HA clusters in parallel)
.PHONY: race
race:
	$(GO) test -race -count=1 -run 'ConcurrentUse|^TestRenderedGives' ./render
	$(GO) test -race -count=1 -run '^TestWrite|^TestCheck|^TestPrefetch|^TestScan' ./render/outdir
	$(GO) test -race -count=1 -run '^TestCache|^TestCheckAndRender|^TestCheckInScope' ./internal/action

## bench: time the fleetgen program on the reference fleet and its double,
## each beside cp -a and diff -r of the same tree, and print the Markdown
## table of docs/performance.md. Options: BENCH_RUNS=5 (median of),
## BENCH_SIZES=reference,double (small-half,small: seconds), BENCH_KEEP=1.
## bench-go: the Go benchmarks of each stage (load, validate, each renderer,
## render, kustomize, write, check) on FLEETGEN_BENCH_SHAPE.
FLEETGEN_BENCH_SHAPE ?= reference
.PHONY: bench bench-go
bench:
	GO=$(GO) tools/bench/bench.sh

bench-go:
	FLEETGEN_BENCH_SHAPE=$(FLEETGEN_BENCH_SHAPE) $(GO) test -run='^$$' -bench=Fleet -benchmem ./inventory ./render

# explain parses every kind of rendered file: arbitrary bytes in any of them
# must never panic or go unreported.
FUZZ_TARGETS += ./explain/:FuzzExplain

# The edit commands never panic on any file, keep a parsing file parsing,
# and undo their own additions byte for byte.
FUZZ_TARGETS += ./inventory/edit/:FuzzEdit
