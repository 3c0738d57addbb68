#include "clients/cpp/cli/grpc_flags.h"

#include <cstdio>

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

}  // namespace

std::unique_ptr<v1::EventService::Stub> MakeStub(const std::string& server) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return v1::EventService::NewStub(grpc::CreateCustomChannel(
      server, grpc::InsecureChannelCredentials(), args));
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
               StatusCodeName(status.error_code()),
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

const char* StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

}  // namespace vouchstream::cli
