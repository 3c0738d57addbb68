#pragma once
// Reactors for streaming calls refused before they start (no credentials,
// missing scope): they finish at once with the given status and delete
// themselves in OnDone.
//
//   return new RefusedWriteReactor<v1::SubscribeResponse>(status);
//
// Thread-safe: nothing shared.

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"

#include "service/rpc/status_mapping.h"

namespace vouchstream::rpc {

template <typename Response>
class RefusedWriteReactor final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit RefusedWriteReactor(const absl::Status& status) {
    this->Finish(ToGrpcStatus(status));
  }
  void OnDone() override { delete this; }
};

template <typename Request, typename Response>
class RefusedBidiReactor final
    : public grpc::ServerBidiReactor<Request, Response> {
 public:
  explicit RefusedBidiReactor(const absl::Status& status) {
    this->Finish(ToGrpcStatus(status));
  }
  void OnDone() override { delete this; }
};

}  // namespace vouchstream::rpc
