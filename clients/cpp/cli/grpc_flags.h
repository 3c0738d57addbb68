#pragma once
// What the talking subcommands (publish, subscribe, get, list, quarantine)
// share: the channel flags (TLS, token), the filter flags,
// printing messages as JSON lines with proto field names, and reporting a
// failed call the way operators script against it: "INVALID_ARGUMENT: message"
// on stderr, then one line per field violation, and exit code 1.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "common/channel_options.h"

namespace vouchstream::cli {

inline constexpr const char* kDefaultServer = "127.0.0.1:50051";

// The TLS and token settings of every later MakeStub / MakeChannel; main
// sets them from the channel flags. Until then: plaintext, no token.
void SetChannelFactory(client::ChannelFactory factory);

// A channel to `server` ("HOST:PORT") with those settings.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& server);

// A stub for `server` ("HOST:PORT") on MakeChannel(server).
std::unique_ptr<v1::EventService::Stub> MakeStub(const std::string& server);

// The filter that --type, --campaign, --customer, --metadata (KEY=VALUE
// pairs) and --code ask for. Errors: kInvalidArgument for a --metadata
// entry without "=", naming `command`.
absl::StatusOr<v1::EventFilter> FilterFromFlags(const char* command);

// The channel that --tls, --ca, --cert, --key, --server-name and
// --token-file ask for.
client::ChannelOptions ChannelOptionsFromFlags();

// `message` as one line of JSON with proto field names, as protobuf's
// MessageToJsonString writes it (transcode::JsonPrinter, byte for byte);
// "{}" when it cannot be printed (a Timestamp out of range).
std::string ToJsonLine(const google::protobuf::Message& message);

// ToJsonLine(message) appended to `out`, for callers that reuse a buffer.
void AppendJsonLine(const google::protobuf::Message& message, std::string* out);

// Prints "COMMAND: CODE_NAME: message" and the field violations of the
// status's google.rpc.BadRequest detail (one "  FIELD: DESCRIPTION" line
// each) to stderr; returns 1.
int ReportError(const char* command, const grpc::Status& status);

// "INVALID_ARGUMENT" for grpc::StatusCode::INVALID_ARGUMENT, and so on.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace vouchstream::cli
