#pragma once
// The service's gRPC server: EventService, the standard health service and
// server reflection (v1 and v1alpha) on one listening address, with the
// keepalive and message size settings long-lived streams need. A service
// the access file leaves out of `open_services` is not served at all.
//
//   absl::StatusOr<std::unique_ptr<GrpcServer>> server =
//       GrpcServer::Start(&service, options);
//   (*server)->port();              // the bound port (for --listen=...:0)
//   (*server)->SetServing(false);   // health NOT_SERVING: draining
//   (*server)->Shutdown(absl::Seconds(30));
//
// Thread-safe: SetServing may be called from any thread; Shutdown once.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"

#include "service/rpc/event_service.h"
#include "service/rpc/reflection_v1_service.h"
#include "service/rpc/server_credentials.h"

namespace vouchstream::rpc {

class GrpcServer {
 public:
  struct Options {
    // "HOST:PORT"; port 0 picks a free one.
    std::string listen;
    const ServerSecurity* security = nullptr;
    int max_message_bytes = 4 << 20;
    // Whether the gRPC service of this full name is served (health and
    // reflection may be closed by the access file).
    std::function<bool(absl::string_view)> is_open;
  };

  // Builds the server and starts listening. kUnavailable when the address
  // cannot be bound. `service` and `*options.security` must outlive it.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      EventService* service, const Options& options);

  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;
  ~GrpcServer();

  int port() const { return port_; }

  // Health of EventService and of the server as a whole (no-op when health
  // is closed).
  void SetServing(bool serving);

  // Refuses new calls, gives those in flight until `timeout` to finish,
  // then cancels the rest and waits for them.
  void Shutdown(absl::Duration timeout);

 private:
  GrpcServer() = default;

  std::unique_ptr<ReflectionV1Service> reflection_v1_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  // nullptr when the access file closes health.
  grpc::HealthCheckServiceInterface* health_ = nullptr;
};

}  // namespace vouchstream::rpc
