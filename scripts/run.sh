#!/usr/bin/env bash
# Runs vouchstream on this machine: installs dependencies (idempotent),
# builds if needed, and starts the service on loopback with an embedded
# SQLite event log under ./data/. Ctrl-C stops everything cleanly.
#
#   VS_GRPC_PORT  the service's gRPC port (default 50051)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh

grpc_port=${VS_GRPC_PORT:-50051}
mkdir -p data
server=build/bin/vouchstream-server
if [[ ! -x "$server" ]]; then
  echo "run: $server was not built; nothing to start yet." >&2
  echo "run: try build/bin/vouchstream-cli transcode --type=publication.succeeded < payload.json" >&2
  exit 1
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop INT TERM EXIT

"$server" --listen="127.0.0.1:${grpc_port}" --store="sqlite:data/events.db" &
pids+=($!)
echo "vouchstream service: grpc://127.0.0.1:${grpc_port} (event log data/events.db)"
echo "try: build/bin/vouchstream-cli subscribe --server=127.0.0.1:${grpc_port}"
wait -n "${pids[@]}"
