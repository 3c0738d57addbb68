#!/usr/bin/env bash
# CI's sanitizer and fuzz stage (issue 6): one clang build in build-asan
# (or $VS_ASAN_BUILD_DIR) with ASan+UBSan and the libFuzzer targets, then
# the unit, contract and integration tests under the sanitizers (the real
# server and gateway processes the integration tests start are the
# instrumented ones), then scripts/fuzz_smoke.sh. Any sanitizer report fails
# the test it happened in. Extra arguments go to the CMake configure step.
#
#   scripts/sanitize.sh                      # everything
#   VS_FUZZ_SECONDS=0 scripts/sanitize.sh    # tests only, no fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${VS_ASAN_BUILD_DIR:-build-asan}
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

echo "== sanitize: build ($build_dir: clang, ASan+UBSan, libFuzzer targets)"
# -O1 -gline-tables-only: stacks with file:line at a speed the integration
# tests can bear, without full debug info (much of a cold build's time);
# assertions stay on (no NDEBUG). The benchmarks are not built here.
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
  "${launcher[@]}" -DVS_WERROR=ON -DVS_SANITIZE=address -DVS_FUZZ=ON \
  -DVS_BUILD_BENCH=OFF "$@" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"

echo "== sanitize: ctest -L 'unit|contract|integration' under ASan+UBSan"
# halt_on_error: the first report ends the process, so its test fails.
# detect_leaks: LeakSanitizer runs at every exit, the servers' included.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Left out: SlowSubscriberTest bounds the server's RSS growth (100 MiB),
# which ASan's quarantine and redzones inflate (~380 MiB here); the ordinary
# ctest stage runs it.
(cd "$build_dir" &&
   ctest -L 'unit|contract|integration' -E 'SlowSubscriberTest' \
     --output-on-failure --timeout 900 -j "$(nproc)")

if [[ "${VS_FUZZ_SECONDS:-60}" != 0 ]]; then
  echo "== sanitize: fuzz smoke"
  VS_ASAN_BUILD_DIR="$build_dir" scripts/fuzz_smoke.sh
fi
