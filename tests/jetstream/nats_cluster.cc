#include "tests/jetstream/nats_cluster.h"

#include <signal.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include <nats/nats.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tests/testing/nats_server.h"

namespace vouchstream::testing {
namespace {

// Ports the kernel considers free now: bound all at once (so distinct),
// then released. A JetStream cluster node must be given its routes when it
// starts, so the ports are chosen up front; another program could take one
// in between, which would fail the start loudly, not silently.
absl::StatusOr<std::vector<int>> FreePorts(int count) {
  std::vector<int> fds;
  std::vector<int> ports;
  absl::Status status;
  for (int i = 0; i < count && status.ok(); ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd < 0 ||
        bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      status = absl::InternalError("cannot reserve a loopback port");
    } else {
      ports.push_back(ntohs(addr.sin_port));
    }
    if (fd >= 0) {
      fds.push_back(fd);
    }
  }
  for (const int fd : fds) {
    close(fd);
  }
  if (!status.ok()) {
    return status;
  }
  return ports;
}

}  // namespace

NatsServer::Options NatsCluster::NodeOptions(int i) const {
  NatsServer::Options options;
  options.dir = absl::StrCat(dir_, "/", NodeName(i));
  options.server_name = NodeName(i);
  options.cluster_name = "vouchstream";
  options.port = client_ports_[i];
  options.cluster_port = cluster_ports_[i];
  for (int j = 0; j < kNodes; ++j) {
    if (j != i) {
      options.routes.push_back(
          absl::StrCat("nats://127.0.0.1:", cluster_ports_[j]));
    }
  }
  return options;
}

absl::StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::Start(
    const std::string& dir) {
  std::unique_ptr<NatsCluster> cluster(new NatsCluster());
  cluster->dir_ = dir;
  absl::StatusOr<std::vector<int>> ports = FreePorts(2 * kNodes);
  if (!ports.ok()) {
    return ports.status();
  }
  for (int i = 0; i < kNodes; ++i) {
    cluster->client_ports_[i] = (*ports)[i];
    cluster->cluster_ports_[i] = (*ports)[kNodes + i];
  }
  for (int i = 0; i < kNodes; ++i) {
    absl::StatusOr<std::unique_ptr<NatsServer>> node =
        NatsServer::Start(cluster->NodeOptions(i));
    if (!node.ok()) {
      return node.status();
    }
    cluster->nodes_[i] = *std::move(node);
  }
  absl::Status ready = WaitJetStreamReady(cluster->ClientUrls());
  if (!ready.ok()) {
    return ready;
  }
  return cluster;
}

std::string NatsCluster::StoreUrl(const std::string& stream) const {
  std::vector<std::string> servers;
  for (int port : client_ports_) {
    servers.push_back(absl::StrCat("127.0.0.1:", port));
  }
  return absl::StrCat("nats://", absl::StrJoin(servers, ","),
                      "?stream=", stream, "&replicas=3");
}

std::string NatsCluster::ClientUrls() const {
  std::vector<std::string> urls;
  for (const auto& node : nodes_) {
    if (node != nullptr && node->running()) {
      urls.push_back(node->url());
    }
  }
  return absl::StrJoin(urls, ",");
}

absl::Status NatsCluster::Kill(int i) {
  if (nodes_[i] == nullptr) {
    return absl::FailedPreconditionError("node not running");
  }
  absl::Status stopped = nodes_[i]->Stop(SIGKILL);
  nodes_[i].reset();
  return stopped;
}

absl::Status NatsCluster::Restart(int i) {
  absl::StatusOr<std::unique_ptr<NatsServer>> node =
      NatsServer::Start(NodeOptions(i));
  if (!node.ok()) {
    return node.status();
  }
  nodes_[i] = *std::move(node);
  return absl::OkStatus();
}

absl::StatusOr<std::string> NatsCluster::StreamLeader(
    const std::string& stream) const {
  natsConnection* connection = nullptr;
  natsStatus status =
      natsConnection_ConnectTo(&connection, ClientUrls().c_str());
  std::string leader;
  if (status == NATS_OK) {
    jsCtx* js = nullptr;
    status = natsConnection_JetStream(&js, connection, nullptr);
    if (status == NATS_OK) {
      jsStreamInfo* info = nullptr;
      status = js_GetStreamInfo(&info, js, stream.c_str(), nullptr, nullptr);
      if (status == NATS_OK && info->Cluster != nullptr &&
          info->Cluster->Leader != nullptr) {
        leader = info->Cluster->Leader;
      }
      jsStreamInfo_Destroy(info);
      jsCtx_Destroy(js);
    }
    natsConnection_Destroy(connection);
  }
  if (status != NATS_OK || leader.empty()) {
    return absl::UnavailableError(absl::StrCat(
        "no leader for stream ", stream, ": ", natsStatus_GetText(status)));
  }
  return leader;
}

int NatsCluster::NodeIndex(const std::string& name) const {
  for (int i = 0; i < kNodes; ++i) {
    if (NodeName(i) == name) {
      return i;
    }
  }
  return -1;
}

}  // namespace vouchstream::testing
