# mamori — the two commands are `make run` and `make test` (see README.md).
#
#   make run     install missing Debian packages, build, create a demo data
#                directory if there is none, serve HTTPS on 127.0.0.1:8443
#   make test    install missing packages, build, run every test through ctest
#   make build   configure and build only
#   make bench   build optimised with benchmarks and run them (see docs/PERFORMANCE.md)
#   make fmt     clang-format every C++ file in place

BUILD_DIR   ?= build
BENCH_DIR   ?= build-bench
DATA_DIR    ?= demo-data
LISTEN      ?= 127.0.0.1:8443
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test run bench fmt clean

all: build

deps:
	@bash scripts/deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DMAMORI_WERROR=ON $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@bash scripts/run_tests.sh $(BUILD_DIR)

run: build
	@bash scripts/run_demo.sh $(BUILD_DIR)/src/cli/mamori $(DATA_DIR) $(LISTEN)

bench: deps
	cmake -S . -B $(BENCH_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DMAMORI_BUILD_BENCHMARKS=ON -DMAMORI_BUILD_TESTS=OFF
	cmake --build $(BENCH_DIR) -j $(JOBS)
	@bash bench/run_all.sh $(BENCH_DIR)

fmt:
	@find src tests bench \( -name '*.h' -o -name '*.cc' \) | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(BENCH_DIR)
