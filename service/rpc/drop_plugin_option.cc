#include "service/rpc/drop_plugin_option.h"

#include <algorithm>

namespace vouchstream::rpc {

void DropPluginOption::UpdatePlugins(
    std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) {
  plugins->erase(
      std::remove_if(
          plugins->begin(), plugins->end(),
          [this](const std::unique_ptr<grpc::ServerBuilderPlugin>& plugin) {
            return plugin->name() == name_;
          }),
      plugins->end());
}

}  // namespace vouchstream::rpc
