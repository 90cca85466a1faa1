# mmcnf: see README.md. Every target works from a fresh clone with Go installed.
GO      ?= go
BIN     := bin/mmcnf
OUT     ?= out
# Kernel families with an avo generator: asm/<family>/ writes kernels/<family>_amd64.s.
FAMILIES := $(notdir $(patsubst %/,%,$(dir $(wildcard asm/*/main.go))))

.PHONY: all build run results test test-slurm vet fmt-check asm asm-check bench benchcmp bench-pytorch data fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/mmcnf

# The main job: the cascading-moons study with both bases (figures, tables and
# samples in $(OUT)/; a finished run is not redone, an interrupted one resumes).
# A moons unit is too small to share between threads (on a shared 2-core
# machine two threads took five times the CPU time of one), so two processes
# of one thread each train its 12 units side by side, the halves of equal
# work given by their indices (see reproduce moons --list), then the report
# is written: the numbers of one process of one thread, in about half its time.
RUN_UNITS_A := 0,3,4,7,8,11
RUN_UNITS_B := 1,2,5,6,9,10
run: build
	./$(BIN) reproduce moons --out $(OUT) --threads 1 --unit $(RUN_UNITS_A) & pid=$$!; \
	./$(BIN) reproduce moons --out $(OUT) --threads 1 --unit $(RUN_UNITS_B); st=$$?; \
	wait $$pid || st=$$?; exit $$st
	./$(BIN) reproduce moons --out $(OUT) --report

# The reference report of one study into docs/results/$(STUDY)/: its units
# trained (or resumed) in $(OUT)/$(STUDY) by $(JOBS) processes that share
# the directory, then the report (results.md, results.json, the PNG figures)
# copied, e.g.
# make results STUDY=subset-mnist STUDY_FLAGS='--iters 150 --seeds 2'
STUDY       ?= moons
STUDY_FLAGS ?=
JOBS        ?= 1
results: build
	@st=0; pids=; for j in $$(seq 2 $(JOBS)); do \
		./$(BIN) reproduce $(STUDY) --out $(OUT)/$(STUDY) $(STUDY_FLAGS) & pids="$$pids $$!"; \
	done; \
	./$(BIN) reproduce $(STUDY) --out $(OUT)/$(STUDY) $(STUDY_FLAGS) || st=$$?; \
	for p in $$pids; do wait $$p || st=$$?; done; exit $$st
	mkdir -p docs/results/$(STUDY)
	cp $(OUT)/$(STUDY)/results.md $(OUT)/$(STUDY)/results.json $(OUT)/$(STUDY)/*.png docs/results/$(STUDY)/

# Everything CI checks: vet, formatting, the tests with the assembly and again
# with the pure-Go reference (fuzz seed corpora run as part of both), and that
# regenerating the assembly changes nothing.
test: vet fmt-check asm-check
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags purego ./...
	@$(GO) test -count=1 -v -run '^TestTiers$$' ./kernels | sed -n 's/^.*\(kernel tiers tested: \)/\1/p'

# The Slurm scripts of deploy/slurm against a real one-node Slurm that the
# test starts and stops itself: as root, installing Debian's slurm-wlm,
# munge and jq when absent (see docs/cluster.md).
test-slurm:
	bash deploy/slurm/test/run.sh

vet:
	$(GO) vet ./...
	$(GO) vet -tags purego ./...
	cd asm && $(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# Regenerate the assembly: every asm/<family>/main.go carries the
# //go:generate line that writes its kernels/<family>_amd64.s.
asm:
	cd asm && $(GO) generate ./...

# Regenerate into a temporary directory and fail on any difference. Each
# generator runs with the arguments of its //go:generate line from a
# directory as deep as its own, so that its output, header included, lands
# in $$tmp/kernels exactly as `make asm` writes it in kernels/.
asm-check:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; mkdir -p $$tmp/kernels $$tmp/bin; \
	for f in $(FAMILIES); do \
		set -- $$(sed -n 's|^//go:generate go run \. ||p' asm/$$f/main.go); \
		if [ "$$1" != -out ] || [ $$# -ne 2 ]; then \
			echo "asm/$$f/main.go: want one line //go:generate go run . -out ../../kernels/FILE"; exit 1; \
		fi; \
		out=$${2#../../}; mkdir -p $$tmp/asm/$$f; \
		(cd asm && $(GO) build -o $$tmp/bin/$$f ./$$f) || exit 1; \
		(cd $$tmp/asm/$$f && $$tmp/bin/$$f -out $$2) || exit 1; \
		if ! cmp -s $$tmp/$$out $$out; then \
			echo "$$out is stale: run make asm"; \
			diff $$tmp/$$out $$out | head -20; exit 1; \
		fi; \
	done; echo "asm-check: generated assembly is up to date ($(FAMILIES))"

# Kernel and training-step benchmarks, one JSON line per record, each file
# replaced only when its benchmark succeeded.
bench: build
	mkdir -p $(OUT)
	./$(BIN) bench kernels --json > $(OUT)/bench-kernels.jsonl.tmp
	mv $(OUT)/bench-kernels.jsonl.tmp $(OUT)/bench-kernels.jsonl
	./$(BIN) bench train --workload all --json > $(OUT)/bench-train.jsonl.tmp
	mv $(OUT)/bench-train.jsonl.tmp $(OUT)/bench-train.jsonl
	cat $(OUT)/bench-kernels.jsonl $(OUT)/bench-train.jsonl

# The kernel benchmarks of go test under each tier (MMCNF_KERNELS), compared
# by benchstat with the first tier as the baseline. The runs interleave, one
# -count each per tier in turn, so that a slow spell of a shared machine falls
# on every tier alike; a tier this machine cannot run is skipped, saying why.
# make benchcmp BENCH='Vec|Elementwise' BENCH_TIERS='avx2 avx512' BENCH_COUNT=10
BENCH       ?= .
BENCH_TIERS ?= avx2 avx512 purego
BENCH_COUNT ?= 6
BENCH_TIME  ?= 200ms
BENCHSTAT   := $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

benchcmp:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	$(GO) test -c -o $$tmp/kernels.test ./kernels || exit 1; \
	tiers=; for t in $(BENCH_TIERS); do \
		note=$$(MMCNF_KERNELS=$$t $$tmp/kernels.test -test.run '^$$' 2>&1 >/dev/null | grep '^mmcnf: kernels:'); \
		if [ -n "$$note" ]; then echo "benchcmp: skipping $$t: $$note"; else tiers="$$tiers $$t"; fi; \
	done; \
	[ -n "$$tiers" ] || { echo "benchcmp: no tier to run"; exit 1; }; \
	for i in $$(seq $(BENCH_COUNT)); do \
		for t in $$tiers; do \
			echo "benchcmp: round $$i of $(BENCH_COUNT): $$t"; \
			MMCNF_KERNELS=$$t $$tmp/kernels.test -test.run '^$$' -test.bench '$(BENCH)' \
				-test.benchtime $(BENCH_TIME) -test.count 1 >> $$tmp/$$t.txt || exit 1; \
		done; \
	done; \
	cd $$tmp && $(BENCHSTAT) $$(for t in $$tiers; do printf '%s=%s.txt ' $$t $$t; done)

# PyTorch's training step beside mmcnf's on one `bench train` workload, the
# two alternating for BENCH_ROUNDS rounds in one session. Needs Debian's
# python3-torch and python3-numpy (PYTHON is the interpreter that has them);
# nothing else in the build or the tests needs Python.
# make bench-pytorch PYTHON=/usr/bin/python3 BENCH_WORKLOAD=conv16 BENCH_ROUNDS=2
PYTHON         ?= python3
BENCH_WORKLOAD ?= planar2d
BENCH_ROUNDS   ?= 5

bench-pytorch: build
	$(PYTHON) cnf/train/trainbench/pytorch/compare.py --mmcnf ./$(BIN) --workload $(BENCH_WORKLOAD) --rounds $(BENCH_ROUNDS)

# Download, convert and verify MNIST and FashionMNIST into the data directory
# ($MMCNF_DATA_DIR, else the user cache directory; needs go and npm): what
# `mmcnf data fetch` does.
data: build
	./$(BIN) data fetch

# Every fuzz target of every package (the kernels, and each reader of user
# files: npy, npz, config.json, run.json, checkpoint, train.jsonl, IDX, CSV) for
# FUZZTIME each; `make test` runs their seed corpora. A new failing input is
# saved under the package's testdata/fuzz/<target>/.
FUZZTIME ?= 20s
fuzz:
	@for p in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
			echo "fuzz: $$f in $$p for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s $$p || exit 1; \
		done; \
	done

clean:
	rm -rf bin
