#!/usr/bin/env bash
# Runs one client language's end-to-end test against a real server:
#
#   tests/clients/run.sh python|node|go|buf-curl [BUILD_DIR]
#
# $VOUCHSTREAM_SERVER names the server binary (ctest passes the CMake
# target's path). BUILD_DIR (default <repo>/build/clients) receives generated
# stubs and the Go workspace; nothing is written into the source tree except
# clients/node/node_modules (installed from the lockfile when missing).
# A missing toolchain fails loudly: nothing is skipped.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
lang=${1:?usage: run.sh python|node|go|buf-curl [BUILD_DIR]}
build=${2:-$repo/build/clients}
mkdir -p "$build"

need() {
  if ! command -v "$1" >/dev/null 2>&1 && [[ ! -x $1 ]]; then
    echo "run.sh: $1 is missing ($2): run scripts/setup.sh" >&2
    exit 1
  fi
}

pytest_run() {
  need /usr/bin/python3 "python3"
  if ! /usr/bin/python3 -c 'import grpc, google.protobuf, pytest' 2>/dev/null; then
    echo "run.sh: Debian's python3-grpcio, python3-protobuf and" \
      "python3-pytest are required: run scripts/setup.sh" >&2
    exit 1
  fi
  need protoc "protobuf-compiler"
  need grpc_python_plugin "protobuf-compiler-grpc"
  export VOUCHSTREAM_PY_GEN="$build/python-gen"
  /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@"
}

case $lang in
  python) pytest_run "$repo/clients/python/tests" ;;
  buf-curl)
    export BUF=${BUF:-$repo/tools/node_modules/.bin/buf}
    need "$BUF" "npm @bufbuild/buf under tools/"
    pytest_run "$repo/tests/clients/test_buf_curl.py" ;;
  node)
    need node "nodejs"
    need npm "npm"
    cd "$repo/clients/node"
    if [[ ! -d node_modules/@grpc/grpc-js || ! -d node_modules/@grpc/proto-loader ]]; then
      npm ci --no-audit --no-fund --loglevel=error
    fi
    node --test test/*.test.js ;;
  go)
    "$repo/clients/go/build.sh" --gopath="$build/go" test ;;
  *) echo "run.sh: unknown language $lang" >&2; exit 2 ;;
esac
