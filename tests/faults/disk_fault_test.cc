// Fault (d): the store's disk fills up under load (a small tmpfs of the
// test's own). Publish must fail with a clear UNAVAILABLE, the gateway must
// answer 503 with Retry-After, nothing acknowledged may be lost, and the
// service must take writes again as soon as space returns, without a
// restart. And a store directory that has become read-only: the service
// refuses to start and says why, and starts with everything once it is
// writable again. (A file system with files open for writing cannot be
// remounted read-only under a running service: the kernel says EBUSY.)

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "service/store/sqlite_event_log.h"
#include "tests/faults/log_audit.h"
#include "tests/testing/deployment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_events.h"
#include "tests/testing/tmpfs_mount.h"
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// Room for the schema and some 150 seed events; then the disk is full.
constexpr uint64_t kSmallDisk = 2 << 20;
constexpr uint64_t kLargeDisk = 64 << 20;
// 503s wanted while the disk is full, 2xx wanted after space returns.
constexpr uint64_t kRefusedWhenFull = 30;
constexpr uint64_t kOkAfterSpace = 200;
// Direct publishes tried at the edge of the full disk before one must fail.
constexpr int kDirectTries = 200;
constexpr absl::Duration kPhaseTimeout = absl::Seconds(60);

WebhookLoad::Options LoadOptions(const Deployment& d,
                                 const std::string& id_prefix) {
  WebhookLoad::Options options = d.LoadOptions(id_prefix);
  options.connections = 4;
  options.pause = absl::Milliseconds(2);
  return options;
}

// A server on a SQLite file on `disk`, and a gateway in front of it.
absl::StatusOr<std::unique_ptr<Deployment>> StartOnDisk(
    const TmpfsMount& disk) {
  Deployment::Options options;
  options.sqlite_path = disk.path() + "/events.db";
  options.gateways = 1;
  return Deployment::Start(options);
}

TEST(DiskFullTest, RefusesWith503LosesNothingAndRecoversWithoutRestart) {
  TempDir dir;
  // Declared before the processes, so that they stop before the unmount.
  auto disk = TmpfsMount::Mount(dir.File("disk"), kSmallDisk);
  ASSERT_THAT(disk, IsOk());
  auto deployment = StartOnDisk(**disk);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  auto stub = d.NewStub();

  // Fill the disk through the gateway until it refuses.
  WebhookLoad filling(LoadOptions(d, "pub_full_"));
  ASSERT_TRUE(filling.WaitUntil(
      [](const WebhookLoad::Counts& c) {
        return c.unavailable >= kRefusedWhenFull;
      },
      kPhaseTimeout))
      << "the disk never filled up";
  filling.Stop();
  const WebhookLoad::Counts filled = filling.counts();
  EXPECT_GT(filled.ok, 0U);
  EXPECT_EQ(filled.other + filled.failed, 0U);
  std::string refusal;
  for (const WebhookLoad::Request& request : filling.requests()) {
    if (request.http_status == 503) {
      EXPECT_FALSE(request.retry_after.empty()) << request.error_body;
      EXPECT_THAT(request.error_body, HasSubstr("full")) << request.id;
      refusal = request.error_body;
    }
  }

  // A direct Publish says why, in words an operator can search for. Near
  // the edge a small batch may still fit where a larger one rolled back, so
  // keep publishing until the disk refuses.
  absl::Status direct = absl::OkStatus();
  std::vector<std::string> direct_ok;
  for (int i = 0; i < kDirectTries && direct.ok(); ++i) {
    const std::string id = absl::StrCat("pub_direct_", i);
    absl::StatusOr<v1::PublishResponse> published =
        Publish(*stub, SeedEvent(id));
    direct = published.status();
    if (published.ok()) {
      direct_ok.push_back(id);
    }
  }
  EXPECT_THAT(direct, StatusIs(absl::StatusCode::kUnavailable,
                               AllOf(HasSubstr("database or disk is full"),
                                     HasSubstr("SQLITE_FULL"))));

  // Space returns: the same processes take every webhook again.
  ASSERT_THAT((*disk)->Resize(kLargeDisk), IsOk());
  WebhookLoad::Options after_options = LoadOptions(d, "pub_space_");
  after_options.max_requests = kOkAfterSpace;
  WebhookLoad after(after_options);
  ASSERT_TRUE(after.WaitUntil(
      [](const WebhookLoad::Counts& c) {
        return c.answered() == kOkAfterSpace;
      },
      kPhaseTimeout));
  after.Stop();
  EXPECT_EQ(after.counts().ok, kOkAfterSpace)
      << after.counts().unavailable << " refused after space returned";

  // Nothing acknowledged is lost, also across a restart. (The gateway goes
  // first: the service's drain waits for open PublishStream calls.)
  std::vector<WebhookLoad::Request> all = filling.requests();
  const std::vector<WebhookLoad::Request> later = after.requests();
  all.insert(all.end(), later.begin(), later.end());
  EXPECT_THAT(d.StopGateway(), IsOk());
  ASSERT_THAT(d.StopServer(), IsOk());
  ASSERT_THAT(d.RestartServer(), IsOk());
  stub = d.NewStub();
  auto log = ReadWholeLog(*stub);
  ASSERT_THAT(log, IsOk());
  const LogAudit audit = AuditLog(all, *log);
  EXPECT_EQ(audit.acknowledged, filled.ok + kOkAfterSpace);
  EXPECT_EQ(audit.acknowledged_stored, audit.acknowledged) << audit.Summary();
  EXPECT_EQ(audit.stored_unacknowledged, 0U) << audit.Summary();
  EXPECT_EQ(audit.duplicate_ids, 0U);
  EXPECT_TRUE(audit.dense) << audit.Summary();
  EXPECT_EQ(audit.events, audit.acknowledged + direct_ok.size());

  std::cout << "[fault d] disk full (" << (kSmallDisk >> 20)
            << " MiB tmpfs) under load: " << filled.ok
            << " webhooks answered 2xx, then " << filled.unavailable
            << " answered 503 with Retry-After (" << refusal
            << "); a direct Publish failed " << direct << " after "
            << direct_ok.size() << " more fitted; after growing the disk to "
            << (kLargeDisk >> 20) << " MiB the same processes answered "
            << after.counts().ok << "/" << kOkAfterSpace
            << " webhooks 2xx; after a restart " << audit.Summary() << "\n";
  EXPECT_THAT(d.StopServer(), IsOk());
}

TEST(ReadOnlyStoreTest, RefusesToStartSaysWhyAndKeepsEverything) {
  constexpr uint64_t kWebhooks = 50;
  TempDir dir;
  auto disk = TmpfsMount::Mount(dir.File("disk"), kLargeDisk);
  ASSERT_THAT(disk, IsOk());
  auto deployment = StartOnDisk(**disk);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  WebhookLoad::Options load_options = LoadOptions(d, "pub_ro_");
  load_options.max_requests = kWebhooks;
  WebhookLoad load(load_options);
  ASSERT_TRUE(load.WaitUntil(
      [](const WebhookLoad::Counts& c) { return c.answered() == kWebhooks; },
      kPhaseTimeout));
  load.Stop();
  EXPECT_EQ(load.counts().ok, kWebhooks);
  EXPECT_THAT(d.Stop(), IsOk());

  ASSERT_THAT((*disk)->SetReadOnly(true), IsOk());
  // The store names the cause...
  store::SqliteEventLog::Options store_options;
  store_options.path = d.options().sqlite_path;
  EXPECT_THAT(store::SqliteEventLog::Open(store_options),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("is not writable"),
                             HasSubstr("Read-only file system"))));
  // ... and the service does not pretend to serve without it.
  auto refused = d.StartServerProcess();
  EXPECT_FALSE(refused.ok());

  ASSERT_THAT((*disk)->SetReadOnly(false), IsOk());
  ASSERT_THAT(d.RestartServer(), IsOk());
  auto stub = d.NewStub();
  auto log = ReadWholeLog(*stub);
  ASSERT_THAT(log, IsOk());
  const LogAudit audit = AuditLog(load.requests(), *log);
  EXPECT_EQ(audit.acknowledged_stored, kWebhooks) << audit.Summary();
  EXPECT_EQ(audit.events, kWebhooks);
  std::cout << "[fault d] read-only store directory: " << load.counts().ok
            << " webhooks acknowledged, then the directory was remounted "
               "read-only: the service refused to start ("
            << (refused.ok() ? std::string("it started!")
                             : refused.status().ToString())
            << ") and the store said why; writable again, it started with "
            << audit.Summary() << "\n";
  EXPECT_THAT(d.StopServer(), IsOk());
}

}  // namespace
}  // namespace vouchstream::testing
