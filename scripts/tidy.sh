#!/usr/bin/env bash
# clang-tidy (the repository's .clang-tidy, every warning an error) over the
# product's own sources: common/, transcode/, gateway/, service/ and
# clients/cpp/. Tests and benchmarks follow their frameworks' conventions
# (gtest macros, BM_ names) and are not checked. Needs a configured build dir (compile database).
#
# A file whose preprocessed text, flags and tidy config are unchanged since a
# clean run is not checked again (scripts/tidy_cached.py; cache in
# $VS_TIDY_CACHE, default ~/.cache/vouchstream-tidy). VS_TIDY_CACHE=off
# checks every file.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${VS_BUILD_DIR:-build}
cache=${VS_TIDY_CACHE:-$HOME/.cache/vouchstream-tidy}
if [[ $cache == off ]]; then
  cache=$(mktemp -d)
  trap 'rm -rf "$cache"' EXIT
fi
mapfile -t files < <(git ls-files 'common/*.cc' 'transcode/*.cc' 'gateway/*.cc' \
                                  'service/*.cc' 'clients/cpp/*.cc')
python3 scripts/tidy_cached.py "$build_dir" "$cache" "$(nproc)" "${files[@]}"
