#include "clients/cpp/cli/grpc_flags.h"

#include <cstdio>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace vouchstream::cli {
namespace {

bool Consume(const std::string& arg, absl::string_view name,
             std::string* value) {
  if (!absl::StartsWith(arg, name)) {
    return false;
  }
  *value = arg.substr(name.size());
  return true;
}

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

bool ParseCommonFlag(const std::string& arg, std::string* server,
                     v1::EventFilter* filter) {
  std::string value;
  if (Consume(arg, "--server=", &value)) {
    *server = value;
  } else if (Consume(arg, "--type=", &value)) {
    filter->add_types(value);
  } else if (Consume(arg, "--campaign=", &value)) {
    filter->add_campaign_ids(value);
  } else if (Consume(arg, "--customer=", &value)) {
    filter->add_customer_ids(value);
  } else if (Consume(arg, "--code=", &value)) {
    filter->set_code_pattern(value);
  } else if (Consume(arg, "--metadata=", &value)) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(value, absl::MaxSplits('=', 1));
    (*filter->mutable_metadata())[kv.first] = kv.second;
  } else {
    return false;
  }
  return true;
}

std::string ToJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options)
           .ok()) {
    json = "{}";
  }
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
  // gRPC's codes are the canonical ones, numbered as Abseil's.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace vouchstream::cli
