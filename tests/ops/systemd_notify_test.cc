// Type=notify (issue 23, item 8): each binary, started with NOTIFY_SOCKET
// pointing at a datagram socket the test owns, reports READY=1 once it
// serves, RELOADING=1 then READY=1 around a SIGHUP reload, and STOPPING=1
// when SIGTERM starts the drain; then it exits 0.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/ops/notified_process.h"
#include "tests/ops/notify_socket.h"
#include "tests/testing/child_process.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

constexpr absl::Duration kTimeout = absl::Seconds(30);

// READY=1 once it serves, and nothing about stopping before.
void ExpectReady(NotifySocket& notify) {
  absl::StatusOr<std::vector<std::string>> ready =
      notify.WaitFor("READY=1", kTimeout);
  ASSERT_THAT(ready, IsOk());
  EXPECT_THAT(*ready, Not(Contains("STOPPING=1")));
}

// SIGHUP: RELOADING=1 (with MONOTONIC_USEC), then READY=1.
void ExpectReload(ChildProcess& process, NotifySocket& notify) {
  ASSERT_EQ(kill(process.pid(), SIGHUP), 0);
  absl::StatusOr<std::vector<std::string>> reloading = notify.Receive(kTimeout);
  ASSERT_THAT(reloading, IsOk());
  EXPECT_THAT(
      *reloading,
      ElementsAre("RELOADING=1", ::testing::StartsWith("MONOTONIC_USEC=")));
  absl::StatusOr<std::vector<std::string>> reloaded = notify.Receive(kTimeout);
  ASSERT_THAT(reloaded, IsOk());
  EXPECT_THAT(*reloaded, ElementsAre("READY=1"));
}

// SIGTERM: STOPPING=1, then a clean exit.
void ExpectStop(ChildProcess& process, NotifySocket& notify) {
  ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
  absl::StatusOr<std::vector<std::string>> stopping = notify.Receive(kTimeout);
  ASSERT_THAT(stopping, IsOk());
  EXPECT_THAT(*stopping, ElementsAre("STOPPING=1"));
  EXPECT_THAT(process.Stop(SIGTERM, kTimeout), IsOk());
  EXPECT_TRUE(process.exited_cleanly());
}

// Drives one started binary through SIGHUP and SIGTERM and checks what it
// told the notify socket, in order.
void ExpectNotifyLifecycle(ChildProcess& process, NotifySocket& notify) {
  ASSERT_NO_FATAL_FAILURE(ExpectReady(notify));
  ASSERT_NO_FATAL_FAILURE(ExpectReload(process, notify));
  ExpectStop(process, notify);
}

TEST(SystemdNotifyTest, ServerReportsReadyReloadingAndStopping) {
  TempDir dir;
  absl::StatusOr<std::unique_ptr<NotifySocket>> notify =
      NotifySocket::Bind(dir.File("notify"));
  ASSERT_THAT(notify, IsOk());
  absl::StatusOr<std::unique_ptr<ChildProcess>> server =
      StartNotified({VS_SERVER_PATH, "--listen=127.0.0.1:0",
                     "--store=sqlite:" + dir.File("events.db")},
                    (*notify)->path(), dir.File("server.log"));
  ASSERT_THAT(server, IsOk());
  ExpectNotifyLifecycle(**server, **notify);
}

TEST(SystemdNotifyTest, GatewayReportsReadyReloadingAndStopping) {
  TempDir dir;
  ServerProcess::Options upstream_options;
  upstream_options.store_path = dir.File("events.db");
  absl::StatusOr<std::unique_ptr<ServerProcess>> upstream =
      ServerProcess::Start(upstream_options);
  ASSERT_THAT(upstream, IsOk());
  const std::string secrets = dir.File("secrets");
  std::ofstream(secrets) << "notify-secret\n";
  std::filesystem::permissions(
      secrets,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  absl::StatusOr<std::unique_ptr<NotifySocket>> notify =
      NotifySocket::Bind(dir.File("notify"));
  ASSERT_THAT(notify, IsOk());
  absl::StatusOr<std::unique_ptr<ChildProcess>> gateway = StartNotified(
      {VS_GATEWAY_PATH, "--listen=127.0.0.1:0",
       "--upstream=" + (*upstream)->address(), "--secret-file=" + secrets},
      (*notify)->path(), dir.File("gateway.log"));
  ASSERT_THAT(gateway, IsOk());
  ExpectNotifyLifecycle(**gateway, **notify);
}

}  // namespace
}  // namespace vouchstream::testing
