#pragma once
// A ServerBuilder option that removes a builder plugin by name. gRPC's
// reflection (v1alpha) registers itself as a plugin in every ServerBuilder
// once libgrpc++_reflection is linked; the access file may close it
// (`open_services`), and this is how it is then left out.
//
//   builder.SetOption(std::make_unique<DropPluginOption>(
//       "proto_server_reflection"));
//
// Thread-compatible.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"

namespace vouchstream::rpc {

// The name of gRPC's reflection v1alpha plugin.
inline constexpr absl::string_view kReflectionPluginName =
    "proto_server_reflection";

class DropPluginOption final : public grpc::ServerBuilderOption {
 public:
  explicit DropPluginOption(absl::string_view name) : name_(name) {}

  // grpc::ServerBuilderOption:
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override;

 private:
  const std::string name_;
};

}  // namespace vouchstream::rpc
