#!/usr/bin/env bash
# clang-tidy (the repository's .clang-tidy, every warning an error) over the
# product's own sources: gateway/, service/ and clients/cpp/. Tests and
# benchmarks follow their frameworks' conventions (gtest macros, BM_ names)
# and are not checked. Needs a configured build dir (compile database).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${VS_BUILD_DIR:-build}
mapfile -t files < <(git ls-files 'gateway/*.cc' 'service/*.cc' \
                                  'clients/cpp/*.cc')
# run-clang-tidy takes path regexes: anchor each file to match only itself.
patterns=()
for f in "${files[@]}"; do patterns+=("$PWD/${f//./\\.}\$"); done
run-clang-tidy -p "$build_dir" -quiet -j "$(nproc)" "${patterns[@]}" \
  > "$build_dir/clang-tidy.log" 2>&1 || {
  grep -E "(error|warning):" "$build_dir/clang-tidy.log" | sort -u
  echo "clang-tidy: findings above (full log: $build_dir/clang-tidy.log)" >&2
  exit 1
}
echo "clang-tidy: ${#files[@]} files clean"
