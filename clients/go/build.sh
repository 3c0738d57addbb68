#!/usr/bin/env bash
# Builds and tests the Go client OFFLINE from Debian's Go sources.
#
#   clients/go/build.sh [--gopath=DIR] generate|build|test|env
#
# Debian packages Go libraries as GOPATH sources under /usr/share/gocode/src
# (golang-google-grpc-dev 1.33, golang-google-protobuf-dev 1.28, ...), and
# google.golang.org/grpc's go.mod names modules Debian does not ship (envoy,
# udpa, uuid), so module mode cannot resolve its graph without a proxy. This
# script therefore uses GOPATH mode (GO111MODULE=off) with
#   GOPATH=DIR:/usr/share/gocode
# where DIR (default <repo>/build/go) holds
#   src/github.com/vouchstream/vouchstream/gen/go/...  stubs from protoc-gen-go
#                                                      + protoc-gen-go-grpc
#   src/github.com/vouchstream/vouchstream/clients/go  symlink to this folder
# `env` prints the exports, for running go commands by hand.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
gopath="$repo/build/go"
if [[ ${1:-} == --gopath=* ]]; then
  gopath=$(realpath -m "${1#--gopath=}")
  shift
fi
action=${1:-test}
shift || true

for tool in go protoc protoc-gen-go protoc-gen-go-grpc; do
  if ! command -v "$tool" >/dev/null; then
    echo "build.sh: $tool is missing: run scripts/setup.sh (golang-go," \
      "protoc-gen-go, protoc-gen-go-grpc, golang-google-grpc-dev)" >&2
    exit 1
  fi
done
if [[ ! -d /usr/share/gocode/src/google.golang.org/grpc ]]; then
  echo "build.sh: golang-google-grpc-dev is missing: run scripts/setup.sh" >&2
  exit 1
fi

module=github.com/vouchstream/vouchstream
export GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOPROXY=off \
  GOFLAGS= GOTOOLCHAIN=local
export GOCACHE=${GOCACHE:-$gopath/cache}

generate() {
  local src="$gopath/src" stamp="$gopath/src/$module/gen/go/.stamp"
  mkdir -p "$src/$module/clients"
  ln -sfn "$here" "$src/$module/clients/go"
  local protos
  protos=$(cd "$repo/proto" && find vouchstream voucherify -name '*.proto' | sort)
  if [[ -f $stamp ]] && [[ -z $(find "$repo/proto" -name '*.proto' -newer "$stamp") ]]; then
    return
  fi
  rm -rf "$src/$module/gen/go"
  # shellcheck disable=SC2086  # one argument per proto file
  (cd "$repo/proto" && protoc -I. -I/usr/include \
    --go_out="$src" --go-grpc_out="$src" $protos)
  touch "$stamp"
}

case $action in
  generate) generate ;;
  env) generate
    echo "export GO111MODULE=off GOPATH='$GOPATH' GOPROXY=off GOFLAGS= GOCACHE='$GOCACHE'" ;;
  build) generate
    mkdir -p "$gopath/bin"
    go vet "$module/clients/go/vouchstream" "$module/clients/go/cmd/consumer"
    go build -o "$gopath/bin/vouchstream-go-consumer" "$module/clients/go/cmd/consumer"
    echo "built $gopath/bin/vouchstream-go-consumer" ;;
  test) generate
    go vet "$module/clients/go/vouchstream" "$module/clients/go/cmd/consumer"
    go test -count=1 "$@" "$module/clients/go/vouchstream" ;;
  *) echo "usage: $0 [--gopath=DIR] generate|build|test|env [go test flags]" >&2
    exit 2 ;;
esac
