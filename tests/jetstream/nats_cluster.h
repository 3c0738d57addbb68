#pragma once
// A 3-node NATS JetStream cluster on loopback for tests: three
// `nats-server -js` processes (NatsServer), each with its own
// kernel-picked client and route port and its own store dir under `dir`,
// routed to each other on 127.0.0.1. Nodes can be killed (SIGKILL) and
// started again on the same ports and store.
//
//   auto cluster = NatsCluster::Start(dir.File("cluster"));
//   ASSERT_THAT(cluster, IsOk());
//   options.store_url = (*cluster)->StoreUrl("EVENTS");  // replicas=3
//   (*cluster)->Kill(1);
//
// Thread-compatible. (scripts/nats_cluster.sh does the same for people and
// for bench/run.)

#include <array>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#include "tests/testing/nats_server.h"

namespace vouchstream::testing {

class NatsCluster {
 public:
  static constexpr int kNodes = 3;

  // Starts the nodes and waits until JetStream answers (a meta leader).
  static absl::StatusOr<std::unique_ptr<NatsCluster>> Start(
      const std::string& dir);

  // "nats://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3?stream=NAME&replicas=3".
  std::string StoreUrl(const std::string& stream) const;
  // "nats://127.0.0.1:P1,nats://127.0.0.1:P2,..." of the running nodes.
  std::string ClientUrls() const;

  // Node `i` (0..2): SIGKILL, and start again with the same ports and store.
  absl::Status Kill(int i);
  absl::Status Restart(int i);
  // "n1".."n3": the names JetStream reports (e.g. as a stream's leader).
  static std::string NodeName(int i) { return "n" + std::to_string(i + 1); }
  int NodeIndex(const std::string& name) const;
  // The node that leads `stream`'s replicas now, as NodeName() spells it.
  absl::StatusOr<std::string> StreamLeader(const std::string& stream) const;

 private:
  NatsCluster() = default;
  NatsServer::Options NodeOptions(int i) const;

  std::string dir_;
  std::array<int, kNodes> client_ports_{};
  std::array<int, kNodes> cluster_ports_{};
  std::array<std::unique_ptr<NatsServer>, kNodes> nodes_;
};

}  // namespace vouchstream::testing
