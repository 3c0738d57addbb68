#include "tests/testing/test_certs.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

#include "tests/testing/run_command.h"

namespace vouchstream::testing {

absl::StatusOr<TestPki> MakeTestPki(const std::string& dir) {
  const std::vector<std::string> command = {"/bin/bash", VS_MAKE_TEST_CERTS,
                                            dir};
  absl::StatusOr<CommandResult> made = RunCommand(command);
  if (!made.ok()) {
    return made.status();
  }
  if (made->exit_code != 0) {
    // The script's output names the openssl command that failed.
    return absl::InternalError(absl::StrCat(absl::StrJoin(command, " "),
                                            " failed (exit ", made->exit_code,
                                            "): ", made->output));
  }
  TestPki pki;
  pki.ca_cert = dir + "/ca.pem";
  pki.server_cert = dir + "/server.pem";
  pki.server_key = dir + "/server.key";
  pki.client_cert = dir + "/client.pem";
  pki.client_key = dir + "/client.key";
  pki.decoy_cert = dir + "/decoy.pem";
  pki.decoy_key = dir + "/decoy.key";
  pki.other_ca_cert = dir + "/other-ca.pem";
  pki.other_client_cert = dir + "/other-client.pem";
  pki.other_client_key = dir + "/other-client.key";
  return pki;
}

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace vouchstream::testing
