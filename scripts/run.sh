#!/usr/bin/env bash
# Runs vouchstream on this machine: installs dependencies (idempotent),
# builds if needed, and starts the service (gRPC, embedded SQLite event log
# under ./data/) and the HTTP gateway in front of it, both on loopback.
# Ctrl-C stops both cleanly.
#
#   VS_HTTP_PORT  the gateway's HTTP port (default 8080)
#   VS_GRPC_PORT  the service's gRPC port (default 50051)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh

http_port=${VS_HTTP_PORT:-8080}
grpc_port=${VS_GRPC_PORT:-50051}
mkdir -p data
# The webhook secret Voucherify signs with: paste Voucherify's own into this
# file (one per line; several lines = rotation). A random one is made for a
# first local run.
if [[ ! -s data/webhook-secret ]]; then
  (umask 077 && openssl rand -hex 24 > data/webhook-secret)
fi
# The gateway refuses a secret file others may read (--allow-loose-files);
# one made by an older run may be 0644.
chmod 600 data/webhook-secret

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  echo "vouchstream stopped"
}
trap stop INT TERM EXIT

build/bin/vouchstream-server --listen="127.0.0.1:${grpc_port}" \
  --store="sqlite:data/events.db" &
pids+=($!)
build/bin/vouchstream-gateway --listen="127.0.0.1:${http_port}" \
  --upstream="127.0.0.1:${grpc_port}" --secret-file=data/webhook-secret &
pids+=($!)

cat <<TXT
vouchstream is running (Ctrl-C stops it)
  webhook URL for Voucherify: http://127.0.0.1:${http_port}/webhooks/voucherify
  webhook secret:             data/webhook-secret
  gRPC service:               127.0.0.1:${grpc_port} (event log data/events.db)
try, in another terminal:
  build/bin/vouchstream-cli subscribe --server=127.0.0.1:${grpc_port}
  build/bin/vouchstream-cli send testdata/voucherify/publication.succeeded.seed.json \\
      --type publication.succeeded --secret-file data/webhook-secret \\
      --url http://127.0.0.1:${http_port}/webhooks/voucherify
TXT
# Either process ending ends the run (and the trap stops the other).
wait -n "${pids[@]}"
