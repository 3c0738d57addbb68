#!/usr/bin/env bash
# End-to-end load of the HTTP gateway (issue 4): gateway -> service ->
# SQLite with one live subscriber, against a bare Beast "return 200" server
# (the ceiling on this machine), same load generator, same connections.
# Prints requests/s, p50/p99, CPU per event and RSS, and the ratio.
#
#   bench/gateway_load.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
#
# Needs: vouchstream-server, vouchstream-gateway, vouchstream-cli,
# http_ceiling_server and gateway_load built in BUILD_DIR/bin.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
seconds=${2:-10}
connections=${3:-64}
bin=$build/bin
seed=$here/../testdata/voucherify/publication.succeeded.seed.json
seed_id=pub_r0413bLwExpB6LE0v286eNVmEpx6NxmP
secret=bench-secret

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts "$@" in the background, waits for its "listening on" line (with a
# deadline) and sets $port and $pid.
start() {
  local out=$work/$1.out
  shift
  "$@" >"$out" 2>"$out.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 200); do
    if grep -q '^listening on ' "$out"; then
      port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$out" | head -1)
      return
    fi
    sleep 0.05
  done
  echo "gateway_load.sh: $1 did not start" >&2
  cat "$out.err" >&2
  exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

load() {  # load NAME TARGET_PORT PATH [EXTRA...]
  local name=$1 target=$2 path=$3
  shift 3
  "$bin/gateway_load" --target="127.0.0.1:$target" --path="$path" \
    --body="$seed" --replace="$seed_id" --secret="$secret" \
    --connections="$connections" --seconds="$seconds" "$@" |
    tee "$work/$name.result"
}

field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$work/$1.result"; }

echo "== ceiling: bare Beast return-200 (threads=2)"
start ceiling "$bin/http_ceiling_server" --listen=127.0.0.1:0 --threads=2
ceiling_port=$port
load ceiling "$ceiling_port" /webhooks/voucherify/publication.succeeded
kill "$pid"

echo "== end to end: gateway (threads=2) -> service -> SQLite, 1 subscriber"
start server "$bin/vouchstream-server" --listen=127.0.0.1:0 \
  --store="sqlite:$work/events.db"
server_port=$port
server_pid=$pid
(umask 077 && echo "$secret" >"$work/secrets")
start gateway "$bin/vouchstream-gateway" --listen=127.0.0.1:0 \
  --upstream="127.0.0.1:$server_port" --secret-file="$work/secrets" \
  --threads=2
gateway_port=$port
gateway_pid=$pid
"$bin/vouchstream-cli" subscribe --server="127.0.0.1:$server_port" \
  --from=latest >"$work/subscriber.out" 2>&1 &
pids+=("$!")
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:$gateway_port/readyz" >/dev/null && break
  sleep 0.05
done
gateway_cpu0=$(cpu_ticks "$gateway_pid")
server_cpu0=$(cpu_ticks "$server_pid")
load e2e "$gateway_port" /webhooks/voucherify/publication.succeeded
gateway_cpu=$(($(cpu_ticks "$gateway_pid") - gateway_cpu0))
server_cpu=$(($(cpu_ticks "$server_pid") - server_cpu0))
requests=$(field e2e requests)
hz=$(getconf CLK_TCK)
awk -v g="$gateway_cpu" -v s="$server_cpu" -v n="$requests" -v hz="$hz" \
  'BEGIN { printf "cpu_per_event_us gateway=%.1f service=%.1f\n",
           g / hz / n * 1e6, s / hz / n * 1e6 }'
echo "rss_kib gateway=$(rss_kib "$gateway_pid") service=$(rss_kib "$server_pid")"
delivered=$(grep -c '"seq"' "$work/subscriber.out" || true)
echo "subscriber received $delivered events"

e2e_rps=$(field e2e rps)
ceiling_rps=$(field ceiling rps)
half=$(awk -v r="$e2e_rps" 'BEGIN { printf "%d", r / 2 }')
echo "== end to end at half the sustained rate ($half req/s)"
load half "$gateway_port" /webhooks/voucherify/publication.succeeded \
  --rate="$half"
awk -v e="$e2e_rps" -v c="$ceiling_rps" \
  'BEGIN { printf "ratio end_to_end/ceiling = %.0f / %.0f = %.1f%%\n",
           e, c, 100 * e / c }'
