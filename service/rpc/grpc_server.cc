#include "service/rpc/grpc_server.h"

#include <chrono>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"

#include "service/rpc/drop_plugin_option.h"

namespace vouchstream::rpc {
namespace {

constexpr absl::string_view kServiceName = "vouchstream.v1.EventService";

// Long-lived Subscribe streams: ping idle connections so that dead peers and
// silently dropped NAT/proxy mappings are noticed, and let clients ping as
// often as every 10 s without being told to go away.
void SetKeepalive(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
}

}  // namespace

GrpcServer::~GrpcServer() = default;

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    EventService* service, const Options& options) {
  std::unique_ptr<GrpcServer> server(new GrpcServer());
  grpc::EnableDefaultHealthCheckService(
      options.is_open("grpc.health.v1.Health"));
  // Reflection in both versions: gRPC's plugin serves v1alpha, ours v1.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  server->reflection_v1_ =
      std::make_unique<ReflectionV1Service>(std::vector<std::string>{
          std::string{kServiceName}, "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection"});
  // The health service is gRPC's built-in one, which brings no descriptors;
  // touching our generated health.pb links it in and registers
  // grpc/health/v1/health.proto, so reflection can describe the service.
  static_cast<void>(grpc::health::v1::HealthCheckRequest::descriptor());
  grpc::ServerBuilder builder;
  if (!options.is_open("grpc.reflection.v1alpha.ServerReflection")) {
    builder.SetOption(
        std::make_unique<DropPluginOption>(kReflectionPluginName));
  }
  builder.AddListeningPort(options.listen, options.security->credentials,
                           &server->port_);
  builder.RegisterService(service);
  if (options.is_open("grpc.reflection.v1.ServerReflection")) {
    builder.RegisterService(server->reflection_v1_.get());
  }
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  SetKeepalive(builder);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen: --listen=", options.listen));
  }
  server->health_ = server->server_->GetHealthCheckService();
  server->SetServing(true);
  return server;
}

void GrpcServer::SetServing(bool serving) {
  if (health_ != nullptr) {
    health_->SetServingStatus(std::string{kServiceName}, serving);
    health_->SetServingStatus(serving);
  }
}

void GrpcServer::Shutdown(absl::Duration timeout) {
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoSeconds(timeout));
  server_->Wait();
}

}  // namespace vouchstream::rpc
