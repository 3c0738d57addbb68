#include "clients/cpp/cli/flags.h"

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

#include "clients/cpp/cli/grpc_flags.h"

// The help texts are the CLI's manual: `vouchstream-cli CMD --help` prints
// them for the flags CMD takes, with their defaults.
ABSL_FLAG(std::string, server, vouchstream::cli::kDefaultServer,
          "HOST:PORT of vouchstream-server.");
ABSL_FLAG(std::vector<std::string>, type, {},
          "Event type. transcode, send, publish, get: one type name "
          "(publication.succeeded); subscribe, list: type patterns "
          "(publication.*), comma-separated.");
ABSL_FLAG(std::vector<std::string>, campaign, {},
          "Only events of these campaign ids (comma-separated).");
ABSL_FLAG(std::vector<std::string>, customer, {},
          "Only events of these customer ids (comma-separated).");
ABSL_FLAG(std::vector<std::string>, metadata, {},
          "Only events whose metadata has KEY=VALUE (comma-separated pairs).");
ABSL_FLAG(std::string, code, "",
          "Only events whose voucher code matches this RE2 pattern.");
ABSL_FLAG(std::string, from, "",
          "Where the stream starts: earliest or latest (empty: earliest).");
ABSL_FLAG(absl::optional<uint64_t>, after, absl::nullopt,
          "Start after this seq (subscribe: instead of --from).");
ABSL_FLAG(absl::optional<int64_t>, limit, absl::nullopt,
          "Stop after N events (subscribe: empty means no limit; list: "
          "empty means 100).");
ABSL_FLAG(double, idle_timeout, 0,
          "Exit 0 once no event came for this many seconds (0: never).");
ABSL_FLAG(uint64_t, reprocess, 0,
          "Quarantine entry id to validate again and append if it passes "
          "now (0: list the quarantine instead).");
ABSL_FLAG(std::string, secret_file, "",
          "File whose first secret signs the body (the gateway's "
          "--secret-file format); must be private unless "
          "--allow-loose-files.");
ABSL_FLAG(std::string, secret, "",
          "The secret itself (shows in ps and in the shell's history; "
          "prefer --secret-file).");
ABSL_FLAG(std::string, url, "http://127.0.0.1:8080/webhooks/voucherify",
          "The gateway's webhook URL (http:// only); with --type the body "
          "goes to URL/TYPE.");
ABSL_FLAG(bool, tls, false, "TLS with the system's root certificates.");
ABSL_FLAG(std::string, ca, "", "PEM CA of the server; turns TLS on.");
ABSL_FLAG(std::string, cert, "", "PEM client certificate (mTLS), with --key.");
ABSL_FLAG(std::string, key, "",
          "PEM client private key (mTLS), with --cert; must be private "
          "unless --allow-loose-files.");
ABSL_FLAG(std::string, server_name, "",
          "The name expected in the server's certificate.");
ABSL_FLAG(std::string, token_file, "",
          "File holding the bearer token (sent as authorization: Bearer).");
ABSL_FLAG(bool, allow_loose_files, false,
          "Accept a --key or --secret-file that group or others may read.");

namespace vouchstream::cli {

absl::StatusOr<std::string> SingleTypeFlag(const char* command) {
  const std::vector<std::string> types = absl::GetFlag(FLAGS_type);
  if (types.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        command, ": --type takes one type name, not ", types.size()));
  }
  return types.empty() ? std::string() : types.front();
}

}  // namespace vouchstream::cli
