// Issue 23 item 1: both binaries' /metrics, scraped while signed webhooks
// flow through a real gateway into a real vouchstream-server (SQLite), pass
// `promtool check metrics` at every scrape, and their counters add up to
// what was sent: each webhook answered 200 is one request of the gateway
// and one stored or duplicate event of the service; invalid events count
// as quarantined, malformed types as refused; a named consumer's lag is the
// log's last seq minus its cursor.

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/metrics/prometheus_text.h"
#include "tests/testing/deployment.h"
#include "tests/testing/server_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/test_events.h"
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {
namespace {

constexpr uint64_t kWebhooks = 240;
constexpr int kDuplicates = 20;
constexpr int kInvalid = 5;
constexpr int kMalformed = 3;
constexpr uint64_t kCursor = 100;

// Scrapes `address` and checks the scrape with promtool.
Samples ScrapeChecked(const std::string& address) {
  absl::StatusOr<std::string> text = Scrape(address);
  EXPECT_THAT(text, IsOk());
  if (!text.ok()) {
    return {};
  }
  EXPECT_THAT(PromtoolCheckMetrics(*text), IsOk());
  absl::StatusOr<Samples> samples = ParseSamples(*text);
  EXPECT_THAT(samples, IsOk()) << *text;
  return samples.ok() ? *samples : Samples{};
}

void ExpectProcessMetrics(const Samples& samples, const std::string& binary) {
  for (const char* name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
        "process_start_time_seconds"}) {
    EXPECT_GT(Sum(samples, name), 0) << binary << " " << name;
  }
  EXPECT_EQ(Sum(samples, "vouchstream_build_info",
                {absl::StrCat("binary=\"", binary, "\"")}),
            1)
      << binary;
}

TEST(MetricsTest, BothEndpointsPassPromtoolUnderLoadAndAddUp) {
  Deployment::Options options;
  options.server_args = {"--metrics-listen=127.0.0.1:0"};
  options.gateways = 1;
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  const std::string service_metrics = d.server().metrics_address();
  ASSERT_FALSE(service_metrics.empty()) << "no \"metrics on\" line";
  const std::string gateway_metrics =
      absl::StrCat("127.0.0.1:", d.gateway_port());

  // Two subscribers stay open through the test.
  auto stub = d.NewStub();
  v1::SubscribeRequest from_start;
  from_start.set_after_seq(0);
  Subscriber first(*stub, from_start);
  Subscriber second(*stub, from_start);

  WebhookLoad::Options load_options = d.LoadOptions("pub_metrics_");
  load_options.connections = 4;
  load_options.max_requests = kWebhooks;
  int scrapes = 0;
  {
    WebhookLoad load(load_options);
    // Scrape both while the load runs (and at least three times each).
    while (scrapes < 3 || load.counts().answered() < kWebhooks) {
      ScrapeChecked(gateway_metrics);
      ScrapeChecked(service_metrics);
      ++scrapes;
      ASSERT_LT(scrapes, 10000) << "the load never finished";
    }
    load.Stop();
    ASSERT_EQ(load.counts().ok, kWebhooks);
    // Voucherify's retries: the same bodies again, answered 200 as
    // duplicates.
    std::vector<std::string> retried;
    for (int i = 0; i < kDuplicates; ++i) {
      retried.push_back(load.requests()[static_cast<size_t>(i)].id);
    }
    WebhookLoad::Options retry_options = load_options;
    retry_options.ids = retried;
    retry_options.max_requests = 0;
    WebhookLoad retry(retry_options);
    ASSERT_TRUE(retry.WaitUntil(
        [](const WebhookLoad::Counts& c) {
          return c.answered() >= kDuplicates;
        },
        absl::Seconds(60)));
    retry.Stop();
    ASSERT_EQ(retry.counts().ok, static_cast<uint64_t>(kDuplicates));
  }
  // Invalid events (quarantined) and malformed types (refused), over gRPC.
  for (int i = 0; i < kInvalid; ++i) {
    v1::Event invalid = SeedEvent(absl::StrCat("pub_invalid_", i));
    invalid.mutable_publication_succeeded()->mutable_customer()->set_id("nope");
    EXPECT_FALSE(Publish(*stub, invalid).ok());
  }
  for (int i = 0; i < kMalformed; ++i) {
    v1::Event malformed = SeedEvent(absl::StrCat("pub_malformed_", i));
    malformed.set_type("Not A Type");
    EXPECT_FALSE(Publish(*stub, malformed).ok());
  }
  // A named consumer behind the head.
  {
    grpc::ClientContext context;
    v1::SaveCursorRequest save;
    save.set_consumer("lagging-reader");
    save.set_seq(kCursor);
    v1::SaveCursorResponse saved;
    ASSERT_TRUE(stub->SaveCursor(&context, save, &saved).ok());
  }

  const Samples gateway_samples = ScrapeChecked(gateway_metrics);
  const Samples service_samples = ScrapeChecked(service_metrics);
  const uint64_t answered_ok = kWebhooks + kDuplicates;

  // The gateway: every 200 is a request of the typed route.
  EXPECT_EQ(
      Value(
          gateway_samples,
          R"(vouchstream_gateway_requests_total{code="200",route="webhook_typed"})"),
      answered_ok);
  EXPECT_EQ(Sum(gateway_samples,
                "vouchstream_gateway_request_duration_seconds_count"),
            Sum(gateway_samples, "vouchstream_gateway_requests_total"));
  EXPECT_EQ(Value(gateway_samples, "vouchstream_gateway_upstream_connected"),
            1);
  EXPECT_EQ(
      Value(gateway_samples, "vouchstream_gateway_signature_failures_total"),
      0);
  ExpectProcessMetrics(gateway_samples, "gateway");

  // The service: what the gateway handed over, plus the gRPC publishes.
  const auto events = [&](const char* family, const char* result) {
    return Value(service_samples,
                 absl::StrCat("vouchstream_service_events_total{family=\"",
                              family, "\",result=\"", result, "\"}"));
  };
  EXPECT_EQ(events("publication", "stored"), kWebhooks);
  EXPECT_EQ(events("publication", "duplicate"), kDuplicates);
  EXPECT_EQ(events("publication", "quarantined"), kInvalid);
  EXPECT_EQ(events("other", "refused"), kMalformed);
  EXPECT_EQ(Sum(service_samples, "vouchstream_service_events_total",
                {"result=\"stored\""}),
            kWebhooks);
  EXPECT_EQ(Value(service_samples, "vouchstream_service_last_seq"), kWebhooks);
  EXPECT_EQ(
      Sum(service_samples, "vouchstream_service_append_duration_seconds_count"),
      answered_ok + kInvalid + kMalformed);
  // Every append (new or duplicate) went through one commit or another.
  EXPECT_EQ(Sum(service_samples, "vouchstream_service_events_per_commit_sum"),
            answered_ok);
  EXPECT_GE(
      Sum(service_samples, "vouchstream_service_commit_duration_seconds_count"),
      1);
  EXPECT_LE(
      Sum(service_samples, "vouchstream_service_commit_duration_seconds_count"),
      answered_ok);
  EXPECT_EQ(
      Value(
          service_samples,
          R"(vouchstream_service_consumer_lag_events{consumer="lagging-reader",principal="-"})"),
      kWebhooks - kCursor);
  EXPECT_EQ(Value(service_samples, "vouchstream_service_subscribers_open"), 2);
  EXPECT_GT(Value(service_samples, "vouchstream_service_broker_window_bytes"),
            0);
  EXPECT_TRUE(Has(service_samples, "vouchstream_service_store_errors_total"));
  EXPECT_EQ(Sum(service_samples, "vouchstream_service_store_errors_total"), 0);
  ExpectProcessMetrics(service_samples, "server");

  std::cout << "[metrics] " << scrapes << " scrapes of each endpoint under "
            << "load passed promtool; " << answered_ok << " webhooks answered "
            << "200, " << kInvalid << " quarantined, " << kMalformed
            << " refused: counters match\n";
  first.Cancel();
  second.Cancel();
  EXPECT_THAT(d.Stop(), IsOk());
}

TEST(MetricsTest, MetricsListenThatCannotBindStopsTheStart) {
  TempDir dir;
  ServerProcess::Options server_options;
  server_options.store_path = dir.File("events.db");
  server_options.extra_args = {"--metrics-listen=127.0.0.1"};  // no port
  server_options.start_timeout = absl::Seconds(10);
  auto server = ServerProcess::Start(server_options);
  EXPECT_FALSE(server.ok());
}

}  // namespace
}  // namespace vouchstream::testing
