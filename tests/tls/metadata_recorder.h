#pragma once
// An in-process gRPC server that only records what clients send: the
// `authorization` header of every call, by method. It serves the default
// grpc.health.v1 service (SERVING), so a gateway in front of it turns
// ready. Used to check that clients send their bearer token; the real
// server's checking of it belongs to the auth tests.
//
//   auto recorder = MetadataRecorder::Start(grpc::InsecureServerCredentials());
//   ... a client calls 127.0.0.1:(*recorder)->port() with a token ...
//   EXPECT_TRUE((*recorder)->WaitForAuthorization("Bearer t0k",
//                                                  absl::Seconds(10)));
//
// Thread-safe.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace vouchstream::testing {

class MetadataRecorder {
 public:
  struct Call {
    std::string method;         // "/grpc.health.v1.Health/Check"
    std::string authorization;  // empty when the header was absent
  };

  // Listens on 127.0.0.1, port 0.
  static absl::StatusOr<std::unique_ptr<MetadataRecorder>> Start(
      std::shared_ptr<grpc::ServerCredentials> credentials);
  ~MetadataRecorder();

  int port() const { return port_; }
  std::string address() const;

  // True once a call arrived whose authorization header is `expected`.
  bool WaitForAuthorization(const std::string& expected,
                            absl::Duration timeout) const;
  std::vector<Call> calls() const;

  // Called by the interceptor.
  void Record(Call call);

 private:
  MetadataRecorder() = default;

  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::testing
