# Allot: `make demo` and `make test` work on a fresh Debian 12 machine as root.
BUILD ?= build
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
JOBS ?= $(shell nproc)
DEMO_DIR ?= demo-run

FUZZ_SECONDS ?= 60

.PHONY: all deps build fuzz-build optimizer-venv snakemake-venv panda-venv test unit demo dist bench bench-quick fuzz format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] || cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

# The fuzz targets: clang, AddressSanitizer and UndefinedBehaviorSanitizer, in build-fuzz.
fuzz-build: deps
	scripts/fuzz.sh --build-only

# Optuna 5.1 and Ax 1.3.1 in a venv over Debian's torch for the optimizer tests (ctest
# optimizers); when PyPI cannot be reached those tests say Skipped instead.
optimizer-venv: deps
	-scripts/optimizer-venv.sh $(BUILD)/optimizer-venv

# Snakemake 9 (executor plugin) and 7 (--cluster) in plain venvs for ctest snakemake; Skipped
# when PyPI cannot be reached.
snakemake-venv:
	-scripts/snakemake-venv.sh 9 $(BUILD)/snakemake-venv
	-scripts/snakemake-venv.sh 7 $(BUILD)/snakemake7-venv

# panda-client 2.2.0 for the allot.panda tests (ctest panda, against a local stub of the server).
panda-venv: deps
	-scripts/panda-venv.sh $(BUILD)/panda-venv

test: build fuzz-build optimizer-venv snakemake-venv panda-venv
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L unit

demo: build
	rm -rf $(DEMO_DIR)
	$(BUILD)/bin/allot run examples/demo/workflow.yaml --workdir $(DEMO_DIR)
	@echo "--- $(DEMO_DIR)/aggregate/stdout:"; cat $(DEMO_DIR)/aggregate/stdout

# A tarball to copy to a cluster's login node: the binary, the libraries it needs beyond glibc
# ($$ORIGIN rpath), the Python client and the demo (scripts/make-dist.sh), in dist/.
dist: build
	scripts/make-dist.sh $(BUILD) dist

# Well under a minute: core, spawn and journal figures against docs/PERFORMANCE.md (>25% worse
# is flagged and fails).
bench-quick: build
	bench/bench_quick.py $(BUILD)

bench: build
	$(BUILD)/bin/allot_core_bench --benchmark_min_time=0.2
	bench/spawn_bench.sh

# Every fuzz target for FUZZ_SECONDS (docs/RELIABILITY.md records the long runs).
fuzz: fuzz-build
	scripts/fuzz.sh --no-build $(FUZZ_SECONDS)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-fuzz $(DEMO_DIR)
