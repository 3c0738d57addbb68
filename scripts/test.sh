#!/usr/bin/env bash
# Runs every check vouchstream has, on a fresh Debian 12 machine too:
# installs dependencies (idempotent), checks formatting, builds with warnings
# as errors, runs clang-tidy on the product's sources, buf lint/breaking on
# the contract and the whole ctest suite (unit, contract, integration), in
# STYLE.md's order, then the sanitizer and fuzz stage (scripts/sanitize.sh).
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== clang-format"
files=$(git ls-files '*.h' '*.cc')
if [[ -n "$files" ]]; then
  # shellcheck disable=SC2086
  clang-format --dry-run --Werror $files
fi

echo "== build"
scripts/build.sh -DVS_WERROR=ON

echo "== clang-tidy"
scripts/tidy.sh

echo "== buf lint"
(cd proto && ../tools/node_modules/.bin/buf lint)
if git rev-parse -q --verify HEAD~1 >/dev/null &&
   git cat-file -e HEAD~1:proto/buf.yaml 2>/dev/null; then
  echo "== buf breaking (against the previous commit)"
  (cd proto && ../tools/node_modules/.bin/buf breaking \
     --against "../.git#ref=HEAD~1,subdir=proto")
fi

echo "== ctest"
(cd "${VS_BUILD_DIR:-build}" &&
   ctest --output-on-failure --timeout 600 -j "$(nproc)")

# Hostile input (issue 6): the unit, contract and integration tests again,
# built with clang under ASan+UBSan, then each libFuzzer target for
# $VS_FUZZ_SECONDS (default 60) s, two at a time. One build (build-asan)
# serves both.
echo "== sanitizers and fuzzing"
scripts/sanitize.sh
