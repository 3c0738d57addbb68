#!/usr/bin/env bash
# Configures and builds vouchstream into ./build (or $VS_BUILD_DIR) with
# ccache when it is there. Extra arguments go to the CMake configure step,
# e.g. scripts/build.sh -DVS_WERROR=ON.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${VS_BUILD_DIR:-build}
launcher=()
if command -v ccache >/dev/null 2>&1; then
  # Paths relative to the checkout, so that another clone or worktree of the
  # same sources (CI's fresh clone, a second checkout) hits the same cache.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
generator=()
if [[ ! -f "$build_dir/CMakeCache.txt" ]] && command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
cmake -S . -B "$build_dir" "${generator[@]}" "${launcher[@]}" "$@" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
