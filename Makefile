# coda: the two entry points on a fresh Debian 12 machine are `make run` and
# `make test`. Both install missing Debian packages first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
ifeq ($(CI),true)
  CMAKE_FLAGS += -DCODA_WERROR=ON
endif
CODA := $(BUILD_DIR)/apps/coda/coda

.PHONY: all deps configure build test test-asan fuzz run bench clean format

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
ifeq ($(CI),true)
	@$(MAKE) --no-print-directory test-asan ASAN_TESTS=fast
endif

# The suite built with AddressSanitizer and UndefinedBehaviorSanitizer in
# build-asan/, at -O1 (ASan's recommended level; it also compiles faster).
# Warnings are not errors there: instrumentation misleads GCC's flow analysis
# (-Wmaybe-uninitialized inside Boost.Graph), the plain build holds -Werror. ASAN_TESTS=fast (what CI runs) leaves out the tests that
# train networks or run long searches, listed in scripts/asan-slow-tests.txt.
ASAN_DIR ?= build-asan
ASAN_TESTS ?= all
test-asan: deps
	@cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
	  -DCODA_SANITIZE=ON $(CMAKE_FLAGS) -DCODA_WERROR=OFF >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS) --target coda_tests
	@bash scripts/test-asan.sh $(ASAN_DIR) $(ASAN_TESTS) $(JOBS)

# libFuzzer campaigns over every reader of user files (clang-14), each for
# FUZZ_SECONDS; results in build-fuzz/logs and a summary table.
FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= $(JOBS)
fuzz:
	@FUZZ_JOBS=$(FUZZ_JOBS) bash scripts/fuzz.sh $(FUZZ_SECONDS)

# The main job on the bundled default experiment.
run: build
	$(CODA) run configs/experiments/quickstart.yaml

# Speed benchmarks; numbers go to bench/RESULTS.md by hand, with machine and date.
bench: build
	$(BUILD_DIR)/bench/sim_bench edge mobilenet_v2 500
	$(BUILD_DIR)/bench/sim_bench edge resnet50 100
	$(BUILD_DIR)/bench/sim_bench dpu resnet50 50 configs/hardware/dpu/zcu102_b4096.yaml
	$(BUILD_DIR)/bench/sim_bench dpu mobilenet_v2 50 configs/hardware/dpu/zcu102_b4096.yaml
	@bash bench/sweep_bench.sh $(CODA)

clean:
	rm -rf $(BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i
