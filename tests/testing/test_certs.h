#pragma once
// A throwaway PKI for TLS and mTLS tests, made by scripts/make_test_certs.sh
// (the openssl CLI, EC P-256 keys) so that the C++, Python, Node and Go tests
// share one recipe. Nothing is committed: every test makes its own.
//
//   TempDir dir;
//   absl::StatusOr<TestPki> pki = MakeTestPki(dir.path());
//   ASSERT_THAT(pki, IsOk());
//   server_args.push_back("--tls-cert=" + pki->server_cert);
//
// Thread-compatible (each call writes only under its own `dir`).

#include <string>

#include "absl/status/statusor.h"

namespace vouchstream::testing {

// A throwaway PKI made with the openssl CLI in `dir`: a CA, a server
// certificate for 127.0.0.1 / localhost signed by it, a client certificate
// (CN=vouchstream-test-client, SAN URI spiffe://vouchstream.test/client) signed
// by it, a decoy client certificate (CN=nobody, SAN DNS name "CN=ops") signed
// by it, and a second, unrelated CA with its own client certificate (must be
// refused).
struct TestPki {
  std::string ca_cert, server_cert, server_key, client_cert, client_key,
      decoy_cert, decoy_key, other_ca_cert, other_client_cert,
      other_client_key;  // file paths
};

// Creates `dir` if missing and writes the PKI into it. Errors: kInternal
// naming the openssl command that failed (with its output).
absl::StatusOr<TestPki> MakeTestPki(const std::string& dir);

// Reads a whole file (PEM) into a string. Errors: kNotFound if it cannot be
// opened.
absl::StatusOr<std::string> ReadPem(const std::string& path);

}  // namespace vouchstream::testing
