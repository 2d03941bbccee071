# coda: the two entry points on a fresh Debian 12 machine are `make run` and
# `make test`. Both install missing Debian packages first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
ifeq ($(CI),true)
  CMAKE_FLAGS += -DCODA_WERROR=ON
endif
CODA := $(BUILD_DIR)/apps/coda/coda

.PHONY: all deps configure build test run bench clean format

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

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
