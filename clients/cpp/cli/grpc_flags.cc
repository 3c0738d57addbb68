#include "clients/cpp/cli/grpc_flags.h"

#include <cstdio>
#include <optional>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "transcode/json_printer.h"

#include "clients/cpp/cli/flags.h"
#include "common/grpc_status.h"

namespace vouchstream::cli {
namespace {

// Set once by main before the command runs (one thread), read after.
std::optional<client::ChannelFactory>& Factory() {
  static auto* const kFactory = new std::optional<client::ChannelFactory>();
  return *kFactory;
}

}  // namespace

void SetChannelFactory(client::ChannelFactory factory) {
  Factory() = std::move(factory);
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& server) {
  if (!Factory().has_value()) {
    // Plaintext without a token cannot fail.
    Factory() = *client::ChannelFactory::Create({});
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return Factory()->Connect(server, args);
}

std::unique_ptr<v1::EventService::Stub> MakeStub(const std::string& server) {
  return v1::EventService::NewStub(MakeChannel(server));
}

absl::StatusOr<v1::EventFilter> FilterFromFlags(const char* command) {
  v1::EventFilter filter;
  for (const std::string& type : absl::GetFlag(FLAGS_type)) {
    filter.add_types(type);
  }
  for (const std::string& campaign : absl::GetFlag(FLAGS_campaign)) {
    filter.add_campaign_ids(campaign);
  }
  for (const std::string& customer : absl::GetFlag(FLAGS_customer)) {
    filter.add_customer_ids(customer);
  }
  filter.set_code_pattern(absl::GetFlag(FLAGS_code));
  for (const std::string& pair : absl::GetFlag(FLAGS_metadata)) {
    const size_t equals = pair.find('=');
    if (equals == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          command, ": --metadata \"", pair, "\" is not KEY=VALUE"));
    }
    (*filter.mutable_metadata())[pair.substr(0, equals)] =
        pair.substr(equals + 1);
  }
  return filter;
}

client::ChannelOptions ChannelOptionsFromFlags() {
  client::ChannelOptions options;
  options.tls = absl::GetFlag(FLAGS_tls);
  options.ca_file = absl::GetFlag(FLAGS_ca);
  options.cert_file = absl::GetFlag(FLAGS_cert);
  options.key_file = absl::GetFlag(FLAGS_key);
  options.server_name = absl::GetFlag(FLAGS_server_name);
  options.token_file = absl::GetFlag(FLAGS_token_file);
  return options;
}

void AppendJsonLine(const google::protobuf::Message& message,
                    std::string* out) {
  // A printer caches per-type plans and is not thread-safe; subscribe prints
  // on the subscriber's thread, the other commands on the main thread.
  thread_local transcode::JsonPrinter printer(
      {/*preserve_proto_field_names=*/true, /*add_whitespace=*/false});
  if (!printer.Print(message, out).ok()) {
    out->append("{}");
  }
}

std::string ToJsonLine(const google::protobuf::Message& message) {
  std::string json;
  AppendJsonLine(message, &json);
  return json;
}

int ReportError(const char* command, const grpc::Status& status) {
  std::fprintf(stderr, "%s: %s: %s\n", command,
               StatusCodeName(status.error_code()).c_str(),
               status.error_message().c_str());
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& any : details.details()) {
      google::rpc::BadRequest bad_request;
      if (any.UnpackTo(&bad_request)) {
        for (const auto& violation : bad_request.field_violations()) {
          std::fprintf(stderr, "  %s: %s\n", violation.field().c_str(),
                       violation.description().c_str());
        }
      }
    }
  }
  return 1;
}

std::string StatusCodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(common::FromGrpcCode(code));
}

}  // namespace vouchstream::cli
