# recguard's front door. `make run` and `make test` are the README's two commands.
#   make build   release build in build/          make asan   ASan+UBSan build in build-asan/
#   make test    deps, both builds, every test in both builds
#   make run     deps, build, start a guarded recording of demo traffic, show its status
#   make fuzz    build libFuzzer targets with clang and run each for FUZZ_SECONDS
#   make install the programs, msgs/ definitions, systemd unit, sample config and docs under
#                PREFIX (default /usr/local), staged under DESTDIR when given
#   make deb     build-deb/recguard_<version>_<arch>.deb (dpkg-deb; packaging/deb.sh)
#   make mutate  every cut and byte flip of the MCAP test files through recover/doctor/info
#   make chaos   the chaos suite (tests/chaos/chaos.sh) with CHAOS_KILLS kills of the recorder,
#                then with `redundancy: standby` and CHAOS_STANDBY_KILLS kills
JOBS ?= 2
FUZZ_SECONDS ?= 60
CHAOS_KILLS ?= 40
CHAOS_STANDBY_KILLS ?= 100
# Tests run two at a time (the machine's cores): each DDS test has its own domain and discovery
# tag, each test its own temp dir, so they never see each other.
CTEST_ARGS ?= -j$(JOBS)
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps build asan test test-build test-asan run fuzz mutate bench chaos install deb clean

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

# The exhaustive version of e2e.test_bagtools_mutate (figures in docs/RELIABILITY.md).
mutate: deps build
	@scripts/mutate.sh build

bench: deps build
	@bench/run.sh

# Builds only what gets installed (not the tests); the unit's paths follow PREFIX.
install: build/CMakeCache.txt
	cmake --build build -j$(JOBS) --target rg_programs
	DESTDIR="$(DESTDIR)" cmake --install build --prefix "$(PREFIX)"

deb:
	JOBS=$(JOBS) packaging/deb.sh

chaos: deps build
	tests/chaos/chaos.sh $(CHAOS_KILLS)
	CHAOS_REDUNDANCY=standby tests/chaos/chaos.sh $(CHAOS_STANDBY_KILLS)

clean:
	rm -rf build build-asan build-fuzz build-deb
