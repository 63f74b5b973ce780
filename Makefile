# recguard's front door. `make run` and `make test` are the README's two commands.
#   make build   release build in build/          make asan   ASan+UBSan build in build-asan/
#   make test    deps, both builds, every test in both builds
#   make run     deps, build, start a guarded recording of demo traffic, show its status
#   make fuzz    build libFuzzer targets with clang and run each for FUZZ_SECONDS
#   make chaos   the chaos suite (tests/chaos/chaos.sh) with CHAOS_KILLS kills of the recorder
JOBS ?= 2
FUZZ_SECONDS ?= 60
CHAOS_KILLS ?= 40
CTEST_ARGS ?=

.PHONY: all deps build asan test test-build test-asan run fuzz bench chaos clean

all: build

deps:
	@scripts/deps.sh

build/CMakeCache.txt:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
build: build/CMakeCache.txt
	cmake --build build -j$(JOBS)

build-asan/CMakeCache.txt:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRG_SANITIZE=ON
asan: build-asan/CMakeCache.txt
	cmake --build build-asan -j$(JOBS)

test-build: build
	cd build && ctest --output-on-failure --timeout 300 $(CTEST_ARGS)

# Under ASan leaks are fatal too; UBSan aborts on the first finding (-fno-sanitize-recover).
test-asan: asan
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure --timeout 300 $(CTEST_ARGS)

test: deps
	$(MAKE) test-build
	$(MAKE) test-asan

run: deps build
	@scripts/run.sh

build-fuzz/CMakeCache.txt:
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DRG_SANITIZE=ON -DRG_FUZZ=ON
fuzz: deps build-fuzz/CMakeCache.txt
	cmake --build build-fuzz -j$(JOBS)
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

bench: deps build
	@bench/run.sh

chaos: deps build
	tests/chaos/chaos.sh $(CHAOS_KILLS)

clean:
	rm -rf build build-asan build-fuzz
