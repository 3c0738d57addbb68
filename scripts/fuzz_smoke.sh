#!/usr/bin/env bash
# Runs each libFuzzer target for a fixed time (CI's fuzz step; issue 6) and
# fails if any of them finds a crash, a leak, a sanitizer report, a timeout
# or a broken property. Two fuzzers run at a time.
#
#   scripts/fuzz_smoke.sh                 # 60 s each, build-asan
#   VS_FUZZ_SECONDS=600 scripts/fuzz_smoke.sh signature http_request
#
# Environment: VS_ASAN_BUILD_DIR (default build-asan, configured by
# scripts/sanitize.sh with -DVS_FUZZ=ON), VS_FUZZ_SECONDS (default 60),
# VS_FUZZ_JOBS (default 2). Arguments: the targets to run (default all).
#
# Seeds are generated into $VS_ASAN_BUILD_DIR/fuzz/seeds/ from the payloads
# in testdata/voucherify/ (not the spec snapshot) and the recorded regressions;
# each fuzzer keeps what it learns in $VS_ASAN_BUILD_DIR/fuzz/corpus/<target>/
# (nothing is committed) and saves a crasher under
# $VS_ASAN_BUILD_DIR/fuzz/crashes/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${VS_ASAN_BUILD_DIR:-build-asan}
seconds=${VS_FUZZ_SECONDS:-60}
jobs=${VS_FUZZ_JOBS:-2}
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(transcoder signature validator http_request json_printer)
fi
work="$build_dir/fuzz"

if [[ ! -f "$build_dir/CMakeCache.txt" ]] ||
   ! grep -q '^VS_FUZZ:BOOL=ON' "$build_dir/CMakeCache.txt"; then
  echo "fuzz_smoke: $build_dir is not a -DVS_FUZZ=ON build; run scripts/sanitize.sh" >&2
  exit 2
fi
cmake --build "$build_dir" --target fuzzers >/dev/null

# --- Seeds. JSON payloads for the JSON targets; for http_request, the same
# payloads as the requests a sender writes (sized, chunked, pipelined).
mapfile -t json_seeds < <(find testdata/voucherify -name '*.json' -not -path '*/spec/*' | sort)
for target in transcoder signature validator json_printer; do
  mkdir -p "$work/seeds/$target"
  cp -f "${json_seeds[@]}" "$work/seeds/$target/"
done
mkdir -p "$work/seeds/http_request"
n=0
for file in "${json_seeds[@]}"; do
  n=$((n + 1))
  size=$(stat -c %s "$file")
  {
    printf 'POST /webhooks/voucherify/publication.succeeded HTTP/1.1\r\n'
    printf 'Host: gw\r\nContent-Type: application/json\r\n'
    printf 'x-voucherify-signature: %064d\r\nContent-Length: %d\r\n\r\n' 0 "$size"
    cat "$file"
    printf 'GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n'
  } > "$work/seeds/http_request/sized-$n.http"
  {
    printf 'POST /webhooks/voucherify HTTP/1.1\r\n'
    printf 'Host: gw\r\nContent-Type: application/json; charset=utf-8\r\n'
    printf 'Transfer-Encoding: chunked\r\n\r\n%x\r\n' "$size"
    cat "$file"
    printf '\r\n0\r\n\r\n'
  } > "$work/seeds/http_request/chunked-$n.http"
done

declare -A max_len=([transcoder]=8192 [signature]=8192 [validator]=8192
                    [json_printer]=8192
                    [http_request]=16384)

# Runs one fuzzer; its log goes to $work/<target>.log.
run_one() {
  local target=$1
  local binary="$build_dir/bin/${target}_fuzzer"
  mkdir -p "$work/corpus/$target" "$work/crashes/$target"
  local rc=0
  "$binary" -max_total_time="$seconds" -max_len="${max_len[$target]}" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/crashes/$target/" \
      "$work/corpus/$target" "$work/seeds/$target" \
      "tests/fuzz/regressions/$target" > "$work/$target.log" 2>&1 || rc=$?
  echo "$rc" > "$work/$target.rc"
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
for target in "${targets[@]}"; do
  while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do
    wait -n || true
  done
  echo "== fuzz $target (${seconds} s)"
  rm -f "$work/$target.rc"
  run_one "$target" &
done
wait
for target in "${targets[@]}"; do
  if [[ "$(cat "$work/$target.rc" 2>/dev/null)" != 0 ]]; then
    failed+=("$target")
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' \
            "$work/$target.log" | grep -o '[0-9]*$' || echo '?')
  corpus=$(find "$work/corpus/$target" -type f | wc -l)
  echo "   $target: $execs executions, corpus $corpus inputs"
done

if [[ ${#failed[@]} -eq 0 ]]; then
  echo "fuzz_smoke: no crash in ${targets[*]}"
  exit 0
fi
for target in "${failed[@]}"; do
  echo "== $target FAILED; the end of $work/$target.log:"
  tail -n 40 "$work/$target.log"
  for crasher in "$work/crashes/$target"/*; do
    [[ -f "$crasher" ]] || continue
    cat <<MSG
-- crasher saved: $crasher
   reproduce:  $build_dir/bin/${target}_fuzzer $crasher
   once fixed, keep it as a regression test (replayed by fuzz_regressions_test
   in every build):
     cp $crasher tests/fuzz/regressions/$target/<what-it-shows>
     git add tests/fuzz/regressions/$target/<what-it-shows>
MSG
  done
done
exit 1
