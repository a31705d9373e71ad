# Allot: `make demo` and `make test` work on a fresh Debian 12 machine as root.
BUILD ?= build
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
JOBS ?= $(shell nproc)
DEMO_DIR ?= demo-run

.PHONY: all deps build test unit demo bench format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] || cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L unit

demo: build
	rm -rf $(DEMO_DIR)
	$(BUILD)/bin/allot run examples/demo/workflow.yaml --workdir $(DEMO_DIR)
	@echo "--- $(DEMO_DIR)/aggregate/stdout:"; cat $(DEMO_DIR)/aggregate/stdout

bench: build
	$(BUILD)/bin/allot_core_bench --benchmark_min_time=0.2
	bench/spawn_bench.sh

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(DEMO_DIR)
