#!/usr/bin/env bash
# Makes a throwaway PKI for TLS/mTLS tests (and for trying TLS by hand) with
# the openssl CLI, EC P-256 keys, valid for 2 days:
#
#   DIR/ca.pem                  test CA
#   DIR/server.pem, server.key  server certificate for 127.0.0.1 / ::1 /
#                               localhost, signed by the CA
#   DIR/client.pem, client.key  client certificate CN=vouchstream-test-client,
#                               SAN URI spiffe://vouchstream.test/client,
#                               signed by the CA
#   DIR/decoy.pem, decoy.key    client certificate CN=nobody whose SAN DNS
#                               name is the string "CN=ops", signed by the
#                               CA (must not pass for the identity cn:ops)
#   DIR/other-ca.pem            a second, unrelated CA ...
#   DIR/other-client.pem, other-client.key  ... and a client certificate
#                               signed by it (an mTLS server must refuse it)
#
# Usage: scripts/make_test_certs.sh DIR   (DIR is created if missing)
# Never for production: the keys are unencrypted and the CA key is kept.
# Exits non-zero naming the openssl command that failed.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
mkdir -p "$dir"
cd "$dir"

run() {
  local out
  if ! out=$("$@" 2>&1); then
    echo "make_test_certs: command failed: $*" >&2
    echo "$out" >&2
    exit 1
  fi
}

# key FILE: a fresh EC P-256 private key (PKCS#8 PEM).
key() {
  run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$1"
  chmod 600 "$1"
}

# ca NAME CN: a self-signed CA certificate NAME.pem with key NAME.key.
ca() {
  key "$1.key"
  run openssl req -x509 -new -key "$1.key" -sha256 -days 2 \
    -subj "/O=vouchstream test/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1.pem"
}

# leaf NAME CA CN EXTFILE_CONTENT: NAME.pem/NAME.key signed by CA.pem/CA.key.
leaf() {
  key "$1.key"
  run openssl req -new -key "$1.key" -subj "/O=vouchstream test/CN=$3" \
    -out "$1.csr"
  printf '%s\n' "$4" >"$1.ext"
  run openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
    -CAcreateserial -sha256 -days 2 -extfile "$1.ext" -out "$1.pem"
  rm -f "$1.csr" "$1.ext"
}

ca ca "vouchstream test CA"
leaf server ca localhost "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"
leaf client ca vouchstream-test-client "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
subjectAltName=URI:spiffe://vouchstream.test/client"
leaf decoy ca nobody "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
subjectAltName=DNS:CN=ops"

ca other-ca "vouchstream unrelated test CA"
leaf other-client other-ca vouchstream-test-client "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
subjectAltName=URI:spiffe://vouchstream.test/client"
rm -f ./*.srl
