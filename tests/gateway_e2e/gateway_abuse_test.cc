// Hostile HTTP against the real gateway (issue 6): each case writes its
// abuse on a raw socket, expects the gateway's exact answer (status and
// google.rpc.Status-shaped JSON error) or a timely close, and then a normal
// signed webhook on a fresh connection must still get 200. The gateway runs
// with --read-timeout=1s so the slow-client cases take about a second.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "transcode/json_document.h"
#include "transcode/signature.h"

#include "tests/gateway_e2e/raw_connection.h"
#include "tests/testing/deployment.h"
#include "tests/testing/http_client.h"
#include "tests/testing/seed_bodies.h"
#include "tests/testing/status_matchers.h"

namespace vouchstream::testing {
namespace {

// Publication ids of this file's bodies start so (see UniqueSeed).
constexpr absl::string_view kIdPrefix = "pub_abuse";

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSecret[] = "abuse-secret";
constexpr char kTypedPath[] = "/webhooks/voucherify/publication.succeeded";
constexpr int kMaxBodyBytes = 65536;
// Generous upper bounds against hangs; the gateway answers in milliseconds
// and cuts slow clients after its --read-timeout of 1 s.
constexpr absl::Duration kAnswerTimeout = absl::Seconds(20);
constexpr absl::Duration kCloseTimeout = absl::Seconds(15);

// A complete request with Content-Length, signed under kSecret.
std::string Request(const std::string& method, const std::string& target,
                    const std::string& body,
                    const std::string& content_type = "application/json",
                    const std::string& version = "HTTP/1.1") {
  return absl::StrCat(
      method, " ", target, " ", version,
      "\r\nHost: 127.0.0.1\r\nContent-Type: ", content_type,
      "\r\nx-voucherify-signature: ", transcode::SignHex(kSecret, body),
      "\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
}

std::string Get(const std::string& target,
                const std::string& version = "HTTP/1.1") {
  return absl::StrCat("GET ", target, " ", version,
                      "\r\nHost: 127.0.0.1\r\n\r\n");
}

// One answer a case expects: the status and a part of the body (for an
// error, of its message).
struct Answer {
  int status;
  std::string body_part;
};

struct AbuseCase {
  std::string name;
  // Writes the abuse; may fail once the gateway has answered and closed.
  std::function<void(RawConnection&)> send;
  std::vector<Answer> answers;  // In order; empty for a silent close.
  bool closes;                  // Else the connection must stay usable.
};

// Writes `bytes` at once; a close by the gateway midway is fine (it
// refused early), a gateway that stops reading without answering is not.
std::function<void(RawConnection&)> Sends(std::string bytes) {
  return [bytes = std::move(bytes)](RawConnection& connection) {
    const absl::Status written = connection.Write(bytes, kAnswerTimeout);
    EXPECT_FALSE(absl::IsDeadlineExceeded(written)) << written;
  };
}

// Expects `response` to be a google.rpc.Status-shaped JSON error.
void ExpectJsonError(const HttpResponse& response, const Answer& answer) {
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_THAT(response.body, StartsWith(absl::StrCat(
                                 "{\"error\":{\"code\":", answer.status, ",")));
  EXPECT_THAT(response.body, HasSubstr("\"details\":["));
  transcode::JsonDocument document(8);
  EXPECT_THAT(document.Parse(response.body), IsOk())
      << "not JSON (or not UTF-8): " << response.body;
}

// The health check of "the gateway keeps serving others": a signed webhook
// on a fresh connection is stored.
void ExpectNormalWebhookServed(int port) {
  const std::string body = UniqueSeed(kIdPrefix);
  auto response =
      HttpPost(port, kTypedPath, body,
               {{"x-voucherify-signature", transcode::SignHex(kSecret, body)}});
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_THAT(response->body, StartsWith("{\"seq\":"));
}

class GatewayAbuseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Deployment::Options options;
    options.gateways = 1;
    options.secret = kSecret;
    options.gateway_args = {absl::StrCat("--max-body-bytes=", kMaxBodyBytes),
                            "--read-timeout=1s"};
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

  static int port() { return deployment_->gateway_port(); }

  // Google style's trailing underscore for a class's (static) data member,
  // which the naming check reads as a variable.
  static Deployment* deployment_;  // NOLINT(readability-identifier-naming)
};
Deployment* GatewayAbuseTest::deployment_ = nullptr;

std::string Nested(int depth) {
  return absl::StrCat(std::string(depth, '['), std::string(depth, ']'));
}

std::string Chunked(size_t total) {
  std::string out = absl::StrCat(
      "POST ", kTypedPath,
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n");
  const std::string chunk(4096, ' ');
  for (size_t sent = 0; sent < total; sent += chunk.size()) {
    absl::StrAppend(&out, "1000\r\n", chunk, "\r\n");
  }
  return out + "0\r\n\r\n";
}

std::vector<AbuseCase> Cases() {
  const std::string seed = UniqueSeed(kIdPrefix);
  const std::string pipelined_seed = UniqueSeed(kIdPrefix);
  const std::string http10_seed = UniqueSeed(kIdPrefix);
  const std::string body_limit =
      absl::StrCat("body: larger than the limit of ", kMaxBodyBytes, " bytes");
  return {
      {"huge headers",
       Sends(absl::StrCat("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                          "X-Filler: ", std::string(32 * 1024, 'a'),
                          "\r\n\r\n")),
       {{431, "headers: larger than the limit of 16384 bytes"}},
       true},
      {"chunked body beyond the limit",
       Sends(Chunked(4 * kMaxBodyBytes)),
       {{413, body_limit}},
       true},
      {"100 MB body",
       [](RawConnection& connection) {
         const std::string chunk(1 << 20, ' ');
         absl::Status written = connection.Write(
             absl::StrCat("POST ", kTypedPath,
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                          "application/json\r\nContent-Length: ",
                          100 << 20, "\r\n\r\n"),
             kAnswerTimeout);
         for (int i = 0; i < 100 && written.ok(); ++i) {
           written = connection.Write(chunk, kAnswerTimeout);
         }
         // The gateway refuses on the Content-Length and closes, so the
         // write fails long before 100 MB went out.
         EXPECT_TRUE(absl::IsUnavailable(written)) << written;
       },
       {{413, body_limit}},
       true},
      {"invalid UTF-8 in the body",
       Sends(Request("POST", kTypedPath,
                     "{\"publication\":{\"id\":\"\xc3\x28\"}}")),
       {{400, "invalid UTF-8 at byte offset 22"}},
       false},
      {"invalid UTF-8 in the content type",
       Sends(Request("POST", kTypedPath, seed, "application/\xff\xfejson")),
       {{415, "content-type: expected application/json, got"}},
       false},
      {"invalid UTF-8 in the path",
       Sends(Get("/healthz\xc0\xaf")),
       {{404, "no route for GET /healthz"}},
       false},
      {"JSON nested 10,000 deep",
       Sends(Request("POST", kTypedPath, Nested(10000))),
       {{400, "JSON nests deeper than"}},
       false},
      {"non-JSON content type",
       Sends(Request("POST", kTypedPath, "id=1&type=x",
                     "application/x-www-form-urlencoded")),
       {{415,
         "content-type: expected application/json, got "
         "\\\"application/x-www-form-urlencoded\\\""}},
       false},
      {"non-JSON body",
       Sends(Request("POST", kTypedPath, "hello, gateway")),
       {{400, "malformed JSON"}},
       false},
      {"unsigned webhook",
       Sends(absl::StrCat("POST ", kTypedPath,
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                          "application/json\r\nContent-Length: 2\r\n\r\n{}")),
       {{401, "x-voucherify-signature: header is missing"}},
       false},
      {"malformed request line",
       Sends("HELLO\r\n\r\n"),
       {{400, "malformed HTTP request"}},
       true},
      {"HTTP/1.0 without keep-alive",
       Sends(Request("POST", kTypedPath, http10_seed, "application/json",
                     "HTTP/1.0")),
       {{200, "\"duplicate\":false"}},
       true},
      {"pipelined requests",
       Sends(absl::StrCat(Get("/healthz"),
                          Request("POST", kTypedPath, pipelined_seed),
                          Request("POST", kTypedPath, pipelined_seed),
                          Request("POST", "/nowhere", "{}"))),
       {{200, "{\"status\":\"ok\"}"},
        {200, "\"duplicate\":false"},
        {200, "\"duplicate\":true"},
        {404, "no route for POST /nowhere"}},
       false},
  };
}

TEST_F(GatewayAbuseTest, EachAbuseGetsItsAnswerAndOthersAreStillServed) {
  int answered = 0;
  int closed = 0;
  int kept_open = 0;
  const std::vector<AbuseCase> cases = Cases();
  for (const AbuseCase& test : cases) {
    SCOPED_TRACE(test.name);
    auto connection = RawConnection::Connect(port());
    ASSERT_THAT(connection, IsOk());
    test.send(**connection);
    auto responses = (*connection)
                         ->ReadResponses(static_cast<int>(test.answers.size()),
                                         kAnswerTimeout);
    ASSERT_THAT(responses, IsOk());
    ASSERT_EQ(responses->size(), test.answers.size());
    for (size_t i = 0; i < test.answers.size(); ++i) {
      const HttpResponse& response = (*responses)[i];
      const Answer& answer = test.answers[i];
      EXPECT_EQ(response.status, answer.status) << response.body;
      EXPECT_THAT(response.body, HasSubstr(answer.body_part));
      if (answer.status >= 400) {
        ExpectJsonError(response, answer);
      }
      ++answered;
    }
    if (test.closes) {
      EXPECT_TRUE((*connection)->WaitClosed(kCloseTimeout));
      EXPECT_EQ((*connection)->unread(), "") << "bytes after the answer";
      ++closed;
    } else {
      // The same connection still serves a request.
      ASSERT_THAT((*connection)->Write(Get("/healthz"), kAnswerTimeout),
                  IsOk());
      auto next = (*connection)->ReadResponses(1, kAnswerTimeout);
      ASSERT_THAT(next, IsOk());
      ASSERT_EQ(next->size(), 1u);
      EXPECT_EQ((*next)[0].status, 200);
      ++kept_open;
    }
    ExpectNormalWebhookServed(port());
  }
  std::printf(
      "proved: %zu abuse cases got %d exact answers (%d connections closed, "
      "%d kept serving), and a signed webhook got 200 after each\n",
      cases.size(), answered, closed, kept_open);
}

// Slowloris: clients that trickle a request's headers (or its body) one
// byte at a time are cut off by --read-timeout (408, then close), while a
// normal webhook is served in the meantime.
TEST_F(GatewayAbuseTest, SlowClientsAreCutOffWhileOthersAreServed) {
  constexpr int kSlowClients = 8;
  const std::string slow_headers =
      absl::StrCat("POST ", kTypedPath, " HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                   "X-Slow: ", std::string(1000, 'z'), "\r\n\r\n");
  const std::string slow_body = absl::StrCat(
      "POST ", kTypedPath,
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000\r\n\r\n",
      std::string(1000, ' '));
  const absl::Time started = absl::Now();
  std::vector<std::thread> clients;
  std::atomic<int> cut_off{0};
  std::atomic<int> bytes_dripped{0};
  for (int i = 0; i < kSlowClients; ++i) {
    clients.emplace_back([&, i] {
      // Half trickle the headers, half send the headers and trickle the
      // body.
      const std::string& request = i % 2 == 0 ? slow_headers : slow_body;
      const size_t at_once =
          i % 2 == 0 ? 40 : request.size() - 1000;  // Then one byte each.
      auto connection = RawConnection::Connect(port());
      ASSERT_THAT(connection, IsOk());
      ASSERT_THAT(
          (*connection)->Write(request.substr(0, at_once), kAnswerTimeout),
          IsOk());
      const absl::Time deadline = absl::Now() + kCloseTimeout;
      for (size_t next = at_once; next < request.size(); ++next) {
        if (absl::Now() > deadline ||
            !(*connection)
                 ->Write(request.substr(next, 1), kAnswerTimeout)
                 .ok()) {
          break;
        }
        ++bytes_dripped;
        absl::SleepFor(absl::Milliseconds(50));
      }
      // Closed, after a 408 REQUEST_TIMEOUT if the answer reached the
      // client before the close (issue 8); never any other answer.
      if ((*connection)->WaitClosed(kCloseTimeout)) {
        const std::string& unread = (*connection)->unread();
        if (!unread.empty()) {
          EXPECT_THAT(unread, StartsWith("HTTP/1.1 408 "));
          EXPECT_THAT(unread, HasSubstr("\"reason\":\"REQUEST_TIMEOUT\""));
        }
        ++cut_off;
      }
    });
  }
  // Served while the slow clients hold their connections.
  ExpectNormalWebhookServed(port());
  for (std::thread& client : clients) {
    client.join();
  }
  EXPECT_EQ(cut_off.load(), kSlowClients);
  ExpectNormalWebhookServed(port());
  std::printf(
      "proved: %d slow clients (headers or body, %d bytes dripped) were cut "
      "off after %s; signed webhooks got 200 meanwhile and after\n",
      cut_off.load(), bytes_dripped.load(),
      absl::FormatDuration(
          absl::Trunc(absl::Now() - started, absl::Milliseconds(100)))
          .c_str());
}

}  // namespace
}  // namespace vouchstream::testing
