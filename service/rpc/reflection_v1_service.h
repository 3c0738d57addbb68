#pragma once
// gRPC server reflection, version v1 (`grpc.reflection.v1`). gRPC 1.51 serves
// only `grpc.reflection.v1alpha` itself, while newer grpcurl, `buf curl` and
// Postman ask for v1 first; this answers v1 from the same descriptors
// (protobuf's generated pool), so every tool can list and describe the
// services. Register it beside gRPC's own v1alpha plugin:
//
//   ReflectionV1Service reflection({"vouchstream.v1.EventService", ...});
//   builder.RegisterService(&reflection);
//
// Thread-safe: the service is immutable; each stream has its own reactor.

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"

namespace vouchstream::rpc {

class ReflectionV1Service final
    : public grpc::reflection::v1::ServerReflection::CallbackService {
 public:
  // `services`: the full names `list_services` reports. `pool` defaults to
  // the generated pool, where every linked-in .proto registers itself.
  explicit ReflectionV1Service(
      std::vector<std::string> services,
      const google::protobuf::DescriptorPool* pool =
          google::protobuf::DescriptorPool::generated_pool());

  // ServerReflection::CallbackService
  grpc::ServerBidiReactor<grpc::reflection::v1::ServerReflectionRequest,
                          grpc::reflection::v1::ServerReflectionResponse>*
  ServerReflectionInfo(grpc::CallbackServerContext* context) override;

 private:
  class Reactor;

  std::vector<std::string> services_;
  const google::protobuf::DescriptorPool* pool_;
};

}  // namespace vouchstream::rpc
