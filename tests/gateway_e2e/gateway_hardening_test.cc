// Gateway hardening (issue 8) against the real processes: the source
// allow-list (403), the per-source rate limit (429 + Retry-After), header
// and body timeouts (408), the connection limit (503), and the HTTPS
// listener; each refusal is checked in /metrics. One vouchstream-server
// serves the suite; each test starts its own vouchstream-gateway with the
// flags it exercises (tests/testing/GatewayProcess).
//
// Nothing depends on timing for pass/fail: the rate limit is 1 request per
// 100 s (so exactly the requests beyond the burst are refused), and the
// timeouts are asserted as "cut, and not before the deadline".

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "transcode/json_document.h"
#include "transcode/signature.h"

#include "tests/gateway_e2e/https_client.h"
#include "tests/gateway_e2e/raw_connection.h"
#include "tests/testing/deployment.h"
#include "tests/testing/gateway_process.h"
#include "tests/testing/http_client.h"
#include "tests/testing/seed_bodies.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_certs.h"

namespace vouchstream::testing {
namespace {

// Publication ids of this file's bodies start so (see UniqueSeed).
constexpr absl::string_view kIdPrefix = "pub_harden";

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSecret[] = "hardening-secret";
constexpr char kTypedPath[] = "/webhooks/voucherify/publication.succeeded";
// Generous bounds against hangs; the gateway answers in milliseconds.
constexpr absl::Duration kAnswerTimeout = absl::Seconds(20);

Headers Signed(const std::string& body) {
  return {{"x-voucherify-signature", transcode::SignHex(kSecret, body)}};
}

// A signed webhook over plain HTTP on a fresh connection.
absl::StatusOr<HttpResponse> PostWebhook(int port) {
  const std::string body = UniqueSeed(kIdPrefix);
  return HttpPost(port, kTypedPath, body, Signed(body));
}

// Expects a google.rpc.Status-shaped JSON error with an ErrorInfo `reason`.
void ExpectRefusal(const HttpResponse& response, int status,
                   const std::string& reason) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_THAT(response.body,
              StartsWith(absl::StrCat("{\"error\":{\"code\":", status, ",")));
  EXPECT_THAT(response.body, HasSubstr("\"@type\":\"type.googleapis.com/"
                                       "google.rpc.ErrorInfo\""));
  EXPECT_THAT(response.body,
              HasSubstr(absl::StrCat("\"reason\":\"", reason, "\"")));
  transcode::JsonDocument document(8);
  EXPECT_THAT(document.Parse(response.body), IsOk()) << response.body;
}

// The value of the sample `name` (with labels, exactly as printed) in a
// Prometheus text page; -1 if absent.
double Sample(const std::string& metrics, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
    if (absl::ConsumePrefix(&line, name) && absl::ConsumePrefix(&line, " ")) {
      double value = 0;
      if (absl::SimpleAtod(line, &value)) {
        return value;
      }
    }
  }
  return -1;
}

double Rejected(const std::string& metrics, const std::string& reason) {
  return Sample(metrics, absl::StrCat("vouchstream_gateway_rejected_total{",
                                      "reason=\"", reason, "\"}"));
}

std::string Metrics(int port) {
  auto response = HttpGet(port, "/metrics");
  EXPECT_THAT(response, IsOk());
  if (!response.ok()) {
    return "";
  }
  EXPECT_EQ(response->status, 200);
  return response->body;
}

class GatewayHardeningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Deployment::Options options;
    options.secret = kSecret;
    auto deployment = Deployment::Start(options);
    if (!deployment.ok()) {
      FAIL() << deployment.status();
    }
    deployment_ = deployment->release();
  }
  static void TearDownTestSuite() {
    delete deployment_;
    deployment_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(deployment_, nullptr); }

  // A gateway in front of the suite's server with `args` added.
  static absl::StatusOr<std::unique_ptr<GatewayProcess>> StartGateway(
      const std::vector<std::string>& args, bool wait_ready = true) {
    return deployment_->StartGateway(args, wait_ready);
  }

  // Google style's trailing underscore for a class's (static) data member,
  // which the naming check reads as a variable.
  static Deployment* deployment_;  // NOLINT(readability-identifier-naming)
};
Deployment* GatewayHardeningTest::deployment_ = nullptr;

TEST_F(GatewayHardeningTest, AllowListRefusesOtherSourcesOnWebhookRoutes) {
  auto refusing = StartGateway({"--allow-from=10.0.0.0/8,2001:db8::/32"});
  ASSERT_THAT(refusing, IsOk());
  const int port = (*refusing)->port();
  auto webhook = PostWebhook(port);
  ASSERT_THAT(webhook, IsOk());
  ExpectRefusal(*webhook, 403, "SOURCE_NOT_ALLOWED");
  EXPECT_THAT(webhook->body, HasSubstr("source 127.0.0.1 is not in"));
  // Any non-operational route is refused, also without a body.
  auto unknown = HttpGet(port, "/nowhere");
  ASSERT_THAT(unknown, IsOk());
  ExpectRefusal(*unknown, 403, "SOURCE_NOT_ALLOWED");
  // Refused on the headers alone: a body over the limit is never read
  // (403, not 413).
  auto large = RawConnection::Connect(port);
  ASSERT_THAT(large, IsOk());
  ASSERT_THAT((*large)->Write(absl::StrCat("POST ", kTypedPath,
                                           " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Content-Type: application/json\r\n"
                                           "Content-Length: 100000000\r\n\r\n"),
                              kAnswerTimeout),
              IsOk());
  auto large_answer = (*large)->ReadResponses(1, kAnswerTimeout);
  ASSERT_THAT(large_answer, IsOk());
  ASSERT_EQ(large_answer->size(), 1u);
  ExpectRefusal((*large_answer)[0], 403, "SOURCE_NOT_ALLOWED");
  EXPECT_TRUE((*large)->WaitClosed(kAnswerTimeout));
  // The operational routes are not behind the allow-list.
  auto healthz = HttpGet(port, "/healthz");
  ASSERT_THAT(healthz, IsOk());
  EXPECT_EQ(healthz->status, 200);
  const std::string metrics = Metrics(port);
  EXPECT_EQ(Rejected(metrics, "source_not_allowed"), 3) << metrics;
  EXPECT_EQ(Rejected(metrics, "rate_limited"), 0);

  auto admitting = StartGateway({"--allow-from=10.0.0.0/8,127.0.0.0/8"});
  ASSERT_THAT(admitting, IsOk());
  auto admitted = PostWebhook((*admitting)->port());
  ASSERT_THAT(admitted, IsOk());
  EXPECT_EQ(admitted->status, 200) << admitted->body;
  EXPECT_THAT(admitted->body, StartsWith("{\"seq\":"));
  EXPECT_EQ(Rejected(Metrics((*admitting)->port()), "source_not_allowed"), 0);
}

TEST_F(GatewayHardeningTest, MalformedAllowListStopsTheGateway) {
  auto started = StartGateway({"--allow-from=10.0.0.0/33"});
  EXPECT_FALSE(started.ok());
}

TEST_F(GatewayHardeningTest, RateLimitRefusesExactlyTheRequestsBeyondTheBurst) {
  // One request per 100 s, burst 5: within the test's few seconds exactly
  // 5 requests have a token, whatever the machine's speed.
  constexpr int kBurst = 5;
  constexpr int kRequests = 12;
  auto gateway = StartGateway(
      {"--rate-limit=0.01", absl::StrCat("--rate-burst=", kBurst)});
  ASSERT_THAT(gateway, IsOk());
  const int port = (*gateway)->port();
  int ok = 0;
  int limited = 0;
  for (int i = 0; i < kRequests; ++i) {
    auto response = PostWebhook(port);
    ASSERT_THAT(response, IsOk());
    if (response->status == 200) {
      ++ok;
      continue;
    }
    ++limited;
    ExpectRefusal(*response, 429, "RATE_LIMITED");
    int retry_after = 0;
    ASSERT_TRUE(absl::SimpleAtoi(response->Header("retry-after"), &retry_after))
        << response->Header("retry-after");
    EXPECT_GE(retry_after, 1);
    EXPECT_LE(retry_after, 100);
  }
  EXPECT_EQ(ok, kBurst);
  EXPECT_EQ(limited, kRequests - kBurst);
  // The operational routes are not limited.
  for (int i = 0; i < 3; ++i) {
    auto healthz = HttpGet(port, "/healthz");
    ASSERT_THAT(healthz, IsOk());
    EXPECT_EQ(healthz->status, 200);
  }
  const std::string metrics = Metrics(port);
  EXPECT_EQ(Rejected(metrics, "rate_limited"), limited) << metrics;
  EXPECT_EQ(Sample(metrics,
                   "vouchstream_gateway_requests_total{code=\""
                   "429\",route=\"webhook_typed\"}"),
            limited);
  EXPECT_EQ(Sample(metrics, "vouchstream_gateway_rate_limit_sources"), 1);
  std::printf(
      "proved: %d of %d webhooks from one source got 200, the "
      "other %d got 429 RATE_LIMITED with Retry-After\n",
      ok, kRequests, limited);
}

// Writes `prefix` and then nothing: the gateway must answer 408 (the
// client still reads) and close, not before `at_least`.
void ExpectCutWith408(int port, const std::string& prefix,
                      const std::string& message, absl::Duration at_least) {
  auto connection = RawConnection::Connect(port);
  ASSERT_THAT(connection, IsOk());
  const absl::Time started = absl::Now();
  ASSERT_THAT((*connection)->Write(prefix, kAnswerTimeout), IsOk());
  auto responses = (*connection)->ReadResponses(1, kAnswerTimeout);
  ASSERT_THAT(responses, IsOk());
  ASSERT_EQ(responses->size(), 1u) << (*connection)->unread();
  // Less a margin for the two sides' clocks (wall vs steady) and rounding.
  EXPECT_GE(absl::Now() - started, at_least - absl::Milliseconds(100));
  ExpectRefusal((*responses)[0], 408, "REQUEST_TIMEOUT");
  EXPECT_THAT((*responses)[0].body, HasSubstr(message));
  EXPECT_EQ((*responses)[0].Header("connection"), "close");
  EXPECT_TRUE((*connection)->WaitClosed(kAnswerTimeout));
}

TEST_F(GatewayHardeningTest, SlowHeadersAndSlowBodiesAreCutWith408) {
  // Separate bounds for the two steps; --read-timeout (both together) is
  // out of the way.
  auto gateway = StartGateway(
      {"--header-timeout=1s", "--body-timeout=2s", "--read-timeout=60s"});
  ASSERT_THAT(gateway, IsOk());
  const int port = (*gateway)->port();
  ExpectCutWith408(port,
                   absl::StrCat("POST ", kTypedPath,
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "),
                   "headers: not received within 1s", absl::Seconds(1));
  ExpectCutWith408(
      port,
      absl::StrCat("POST ", kTypedPath,
                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                   "application/json\r\nContent-Length: 1000\r\n\r\n{\"a\":"),
      "body: not received within 2s", absl::Seconds(2));
  // --read-timeout still bounds both steps together.
  auto tight = StartGateway(
      {"--header-timeout=30s", "--body-timeout=30s", "--read-timeout=1s"});
  ASSERT_THAT(tight, IsOk());
  ExpectCutWith408(
      (*tight)->port(),
      absl::StrCat("POST ", kTypedPath, " HTTP/1.1\r\nHost: 127.0.0.1\r\n"),
      "headers: not received within 1s", absl::Seconds(1));

  auto served = PostWebhook(port);
  ASSERT_THAT(served, IsOk());
  EXPECT_EQ(served->status, 200) << served->body;
  const std::string metrics = Metrics(port);
  EXPECT_EQ(Rejected(metrics, "request_timeout"), 2) << metrics;
  EXPECT_EQ(Sample(metrics,
                   "vouchstream_gateway_requests_total{code=\""
                   "408\",route=\"webhook_typed\"}"),
            1);
}

// Opens a connection and proves the gateway admitted it (GET /healthz is
// answered 200 and the connection stays open). A 503 means a connection
// closed just before has not been released yet: retried until `deadline`.
// `refused` counts those retries.
absl::StatusOr<std::unique_ptr<RawConnection>> OpenAdmitted(int port,
                                                            int* refused) {
  const absl::Time deadline = absl::Now() + kAnswerTimeout;
  while (absl::Now() < deadline) {
    auto connection = RawConnection::Connect(port);
    if (!connection.ok()) {
      return connection.status();
    }
    absl::Status written =
        (*connection)
            ->Write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    kAnswerTimeout);
    if (!written.ok()) {
      return written;
    }
    auto responses = (*connection)->ReadResponses(1, kAnswerTimeout);
    if (!responses.ok()) {
      return responses.status();
    }
    if (responses->size() == 1 && (*responses)[0].status == 200) {
      return connection;
    }
    ++*refused;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError("no connection admitted");
}

TEST_F(GatewayHardeningTest, ConnectionsBeyondTheLimitGet503AndOthersStay) {
  constexpr int kMax = 3;
  auto gateway = StartGateway({absl::StrCat("--max-connections=", kMax)});
  ASSERT_THAT(gateway, IsOk());
  const int port = (*gateway)->port();
  int refused = 0;
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < kMax; ++i) {
    auto connection = OpenAdmitted(port, &refused);
    ASSERT_THAT(connection, IsOk());
    held.push_back(*std::move(connection));
  }
  // The limit is reached: the next one is answered 503 at once and closed.
  auto extra = RawConnection::Connect(port);
  ASSERT_THAT(extra, IsOk());
  auto refusal = (*extra)->ReadResponses(1, kAnswerTimeout);
  ASSERT_THAT(refusal, IsOk());
  ASSERT_EQ(refusal->size(), 1u);
  ExpectRefusal((*refusal)[0], 503, "TOO_MANY_CONNECTIONS");
  EXPECT_EQ((*refusal)[0].Header("retry-after"), "5");
  EXPECT_TRUE((*extra)->WaitClosed(kAnswerTimeout));
  ++refused;

  // The held connections still serve, /metrics included.
  for (auto& connection : held) {
    ASSERT_THAT(
        connection->Write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                          kAnswerTimeout),
        IsOk());
    auto responses = connection->ReadResponses(1, kAnswerTimeout);
    ASSERT_THAT(responses, IsOk());
    ASSERT_EQ(responses->size(), 1u);
    EXPECT_EQ((*responses)[0].status, 200);
  }
  ASSERT_THAT(held[0]->Write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                             kAnswerTimeout),
              IsOk());
  auto metrics = held[0]->ReadResponses(1, kAnswerTimeout);
  ASSERT_THAT(metrics, IsOk());
  ASSERT_EQ(metrics->size(), 1u);
  EXPECT_EQ(Rejected((*metrics)[0].body, "too_many_connections"), refused)
      << (*metrics)[0].body;
  // Our three, and perhaps refused ones not yet torn down.
  EXPECT_GE(Sample((*metrics)[0].body, "vouchstream_gateway_connections_open"),
            kMax);

  // Closing one lets a new one in.
  held.pop_back();
  auto replacement = OpenAdmitted(port, &refused);
  ASSERT_THAT(replacement, IsOk());
  std::printf(
      "proved: with --max-connections=%d, %d held connections kept "
      "serving, the next got 503 TOO_MANY_CONNECTIONS, and one "
      "closed made room (%d refusals in all)\n",
      kMax, kMax, refused);
}

TEST_F(GatewayHardeningTest, HttpsListenerServesWebhooksAndSurvivesPlainHttp) {
  auto pki = MakeTestPki(deployment_->dir().File("pki"));
  ASSERT_THAT(pki, IsOk());
  auto gateway = StartGateway(
      {absl::StrCat("--tls-cert=", pki->server_cert),
       absl::StrCat("--tls-key=", pki->server_key), "--read-timeout=2s"},
      /*wait_ready=*/false);
  ASSERT_THAT(gateway, IsOk());
  const int port = (*gateway)->port();
  // Ready over TLS (the upstream is SERVING), polled with a deadline.
  const absl::Time deadline = absl::Now() + kAnswerTimeout;
  absl::StatusOr<HttpResponse> ready = absl::UnknownError("not polled");
  while (absl::Now() < deadline) {
    ready = HttpsRequest(port, pki->ca_cert, "GET", "/readyz", "");
    if (ready.ok() && ready->status == 200) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_THAT(ready, IsOk());
  ASSERT_EQ(ready->status, 200) << ready->body;

  const std::string body = UniqueSeed(kIdPrefix);
  auto webhook =
      HttpsRequest(port, pki->ca_cert, "POST", kTypedPath, body, Signed(body));
  ASSERT_THAT(webhook, IsOk());
  EXPECT_EQ(webhook->status, 200) << webhook->body;
  EXPECT_THAT(webhook->body, StartsWith("{\"seq\":"));

  // Plain HTTP to the HTTPS port: the handshake fails, the connection is
  // closed, and no HTTP answer comes back.
  auto plain = RawConnection::Connect(port);
  ASSERT_THAT(plain, IsOk());
  ASSERT_THAT(
      (*plain)->Write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                      kAnswerTimeout),
      IsOk());
  EXPECT_TRUE((*plain)->WaitClosed(kAnswerTimeout));
  EXPECT_THAT((*plain)->unread(), ::testing::Not(HasSubstr("HTTP/1.1 200")));
  // A client that never starts the handshake is cut by --read-timeout.
  auto silent = RawConnection::Connect(port);
  ASSERT_THAT(silent, IsOk());
  const absl::Time silent_since = absl::Now();
  EXPECT_TRUE((*silent)->WaitClosed(kAnswerTimeout));
  EXPECT_GE(absl::Now() - silent_since,
            absl::Seconds(2) - absl::Milliseconds(100));
  EXPECT_EQ((*silent)->unread(), "");
  // A client that trusts another CA does not get through either.
  auto untrusted =
      HttpsRequest(port, pki->other_ca_cert, "GET", "/healthz", "");
  EXPECT_FALSE(untrusted.ok());

  // Still serving over HTTPS.
  const std::string again = UniqueSeed(kIdPrefix);
  auto after = HttpsRequest(port, pki->ca_cert, "POST", kTypedPath, again,
                            Signed(again));
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->status, 200) << after->body;
  auto metrics = HttpsRequest(port, pki->ca_cert, "GET", "/metrics", "");
  ASSERT_THAT(metrics, IsOk());
  // The plain-HTTP client and the silent one (and the untrusting client,
  // if it aborted before the server's last handshake flight).
  EXPECT_GE(
      Sample(metrics->body, "vouchstream_gateway_tls_handshake_failures_total"),
      2)
      << metrics->body;
  EXPECT_EQ(Sample(metrics->body,
                   "vouchstream_gateway_requests_total{code=\""
                   "200\",route=\"webhook_typed\"}"),
            2);
}

}  // namespace
}  // namespace vouchstream::testing
