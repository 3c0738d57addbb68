#pragma once
// A real Prometheus server (Debian's `prometheus` package) for the alerts
// and dashboard test: runs it on a free loopback port with a configuration
// the test writes, waits (with a deadline, never a sleep) until `/-/ready`
// answers 200, and queries its HTTP API.
//
//   auto prometheus = PrometheusServer::Start(dir.path(), config_yaml);
//   ASSERT_THAT(prometheus, IsOk());
//   absl::StatusOr<google::protobuf::Struct> answer =
//       (*prometheus)->Api("/api/v1/query", {{"query", "up"}});
//
// Thread-compatible. Kills the server when destroyed.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include <sys/types.h>

namespace vouchstream::testing {

class PrometheusServer {
 public:
  // `config` is prometheus.yml's text (rule_files relative to `dir` or
  // absolute). Its data and log go to `dir`.
  static absl::StatusOr<std::unique_ptr<PrometheusServer>> Start(
      const std::string& dir, const std::string& config,
      absl::Duration timeout = absl::Seconds(30));
  ~PrometheusServer();
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  // GET `path` with URL-encoded `params`; the answer's JSON as a Struct.
  // An HTTP error is kInternal with the body.
  absl::StatusOr<google::protobuf::Struct> Api(
      const std::string& path,
      const std::vector<std::pair<std::string, std::string>>& params = {})
      const;

  int port() const { return port_; }
  const std::string& log_path() const { return log_path_; }

 private:
  PrometheusServer(pid_t pid, int port, std::string log_path)
      : pid_(pid), port_(port), log_path_(std::move(log_path)) {}

  pid_t pid_;
  int port_;
  std::string log_path_;
};

}  // namespace vouchstream::testing
