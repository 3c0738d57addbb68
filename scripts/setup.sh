#!/usr/bin/env bash
# Installs every build, test and run dependency of vouchstream from Debian 12's
# packages (and the buf CLI from npm). Idempotent: safe to re-run; it does
# nothing but check when everything is already there.
set -euo pipefail

cd "$(dirname "$0")/.."

# Keep in step with BUILD.md ("Dependencies").
packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format clang-tidy
  git openssl  # run.sh makes the local webhook secret with `openssl rand`
  curl python3  # scripts/nats_cluster.sh: health checks, free ports
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  grpc-proto golang-github-gogo-googleapis-dev
  libabsl-dev libre2-dev libsimdjson-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost-dev libboost-system-dev libssl-dev libsqlite3-dev
  nats-server libnats-dev
  # Metrics (prometheus-cpp), the real Prometheus and promtool for the
  # metrics/alerts tests, sd_notify for the systemd units.
  prometheus-cpp-dev prometheus libsystemd-dev
  # Sanitizer and fuzzing builds (clang, libFuzzer, ASan/UBSan/TSan
  # runtimes) and bench/run's plot.
  clang libclang-rt-14-dev llvm gnuplot-nox
  # Clients (clients/README.md): Python, Go (built offline from Debian's Go
  # sources; protobuf-1-5 pinned, see BUILD.md).
  python3-grpcio python3-protobuf python3-pytest
  golang-go golang-google-grpc-dev golang-google-protobuf-dev
  golang-github-golang-protobuf-1-5-dev protoc-gen-go protoc-gen-go-grpc
)

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

# Node.js: the machine image may carry its own nodejs (which bundles npm);
# Debian's npm package conflicts with that, so only install when absent.
if ! command -v npm >/dev/null 2>&1; then
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends nodejs npm
fi

# npm packages, pinned by their lockfiles: buf (lint/breaking for proto/)
# and the Node.js client's gRPC libraries.
if [[ ! -x tools/node_modules/.bin/buf ]]; then
  echo "setup: installing buf from npm"
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi
if [[ ! -d clients/node/node_modules/@grpc/grpc-js ]]; then
  echo "setup: installing the Node.js client's packages from npm"
  (cd clients/node && npm ci --no-audit --no-fund --loglevel=error)
fi
