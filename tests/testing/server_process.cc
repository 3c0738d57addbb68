#include "tests/testing/server_process.h"

#include <csignal>
#include <fstream>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"

#include "tests/testing/proc_status.h"

namespace vouchstream::testing {

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const Options& options) {
  std::vector<std::string> args = {VS_SERVER_PATH, "--listen=127.0.0.1:0",
                                   options.store_url.empty()
                                       ? "--store=sqlite:" + options.store_path
                                       : "--store=" + options.store_url};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  const absl::Time deadline = absl::Now() + options.start_timeout;
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Start(args, options.start_timeout);
  if (!process.ok()) {
    return process.status();
  }
  std::unique_ptr<ServerProcess> server(new ServerProcess(*std::move(process)));
  server->address_ = server->process_->address();
  grpc::ChannelArguments args_for_channel;
  args_for_channel.SetMaxReceiveMessageSize(64 << 20);
  server->channel_ =
      grpc::CreateCustomChannel(server->address_,
                                options.channel_credentials != nullptr
                                    ? options.channel_credentials
                                    : grpc::InsecureChannelCredentials(),
                                args_for_channel);
  absl::Status serving = WaitServing(*server->channel_, deadline - absl::Now());
  if (!serving.ok()) {
    return serving;
  }
  return server;
}

absl::Status ServerProcess::WaitServing(grpc::Channel& channel,
                                        absl::Duration timeout) {
  auto stub = grpc::health::v1::Health::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  const absl::Time deadline = absl::Now() + timeout;
  std::string last_error = "no answer";
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    // Waits for the connection (up to the deadline) instead of failing fast.
    context.set_wait_for_ready(true);
    context.set_deadline(
        absl::ToChronoTime(std::min(deadline, absl::Now() + absl::Seconds(2))));
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = stub->Check(&context, request, &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
    last_error = status.ok() ? "not SERVING" : status.error_message();
  }
  return absl::DeadlineExceededError(
      absl::StrCat("server not SERVING in time: ", last_error));
}

absl::Status ServerProcess::Stop(absl::Duration timeout) {
  // Our own connection would hold the server's drain until the server gives
  // up on it (about 5 s); callers drop theirs before stopping.
  channel_.reset();
  absl::Status stopped = process_->Stop(SIGTERM, timeout);
  if (!stopped.ok()) {
    return stopped;
  }
  if (!process_->exited_cleanly()) {
    return absl::InternalError("server did not exit with status 0");
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ServerProcess::RssKib() const {
  return testing::RssKib(pid());
}

std::string ServerProcess::metrics_address() const {
  constexpr absl::string_view kMetrics = "metrics on ";
  for (const std::string& line : process_->lines_before()) {
    if (absl::StartsWith(line, kMetrics)) {
      return line.substr(kMetrics.size());
    }
  }
  return "";
}

}  // namespace vouchstream::testing
