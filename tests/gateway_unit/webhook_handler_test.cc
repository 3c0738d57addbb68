#include "gateway/webhook/webhook_handler.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vouchstream::gateway {
namespace {

using ::testing::HasSubstr;
using ::vouchstream::transcode::SignatureVerifier;
using ::vouchstream::transcode::SignHex;
using ::vouchstream::transcode::Transcoder;

std::string ReadContract(const std::string& name) {
  std::ifstream in(std::string(VS_TESTDATA_DIR) + "/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class WebhookHandlerTest : public ::testing::Test {
 protected:
  WebhookHandlerTest()
      : verifier_(*SignatureVerifier::Create({"secretKey"})),
        seed_(ReadContract("publication.succeeded.seed.json")),
        signature_(SignHex("secretKey", seed_)) {
    request_.route = Route::kWebhookTyped;
    request_.type = "publication.succeeded";
    request_.path = "/webhooks/voucherify/publication.succeeded";
    request_.content_type = "application/json; charset=utf-8";
    request_.signature = signature_;
    request_.body = seed_;
    request_.remote_address = "127.0.0.1:5555";
    request_.traceparent =
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    request_.user_agent = "Voucherify-Webhooks";
    request_.request_id = "req-1";
  }

  WebhookPolicy Policy(absl::string_view instance) const {
    WebhookPolicy policy;
    policy.verifier = verifier_.get();
    policy.gateway_instance = instance;
    return policy;
  }

  std::unique_ptr<SignatureVerifier> verifier_;
  std::string seed_;
  std::string signature_;
  WebhookRequest request_;
  Transcoder transcoder_;
  Metrics metrics_;
};

TEST_F(WebhookHandlerTest, StampsIngressFacts) {
  auto result =
      PrepareWebhook(request_, Policy("gw-1"), transcoder_, &metrics_);
  ASSERT_TRUE(std::holds_alternative<v1::Event>(result))
      << std::get<HttpError>(result).body;
  const v1::Event& event = std::get<v1::Event>(result);
  EXPECT_EQ(event.type(), "publication.succeeded");
  EXPECT_TRUE(event.has_publication_succeeded());
  EXPECT_EQ(event.raw(), seed_);
  EXPECT_EQ(event.ingress().remote_address(), "127.0.0.1:5555");
  EXPECT_TRUE(event.ingress().signature_verified());
  EXPECT_EQ(event.ingress().gateway_instance(), "gw-1");
  EXPECT_EQ(event.ingress().request_id(), "req-1");
  EXPECT_EQ(event.ingress().traceparent(), request_.traceparent);
  EXPECT_EQ(event.ingress().user_agent(), "Voucherify-Webhooks");
  EXPECT_EQ(event.ingress().path(), request_.path);
}

TEST_F(WebhookHandlerTest, SkippedVerificationIsRecorded) {
  request_.signature = "";
  WebhookPolicy policy = Policy("gw");
  policy.verifier = nullptr;
  auto result = PrepareWebhook(request_, policy, transcoder_, nullptr);
  ASSERT_TRUE(std::holds_alternative<v1::Event>(result));
  EXPECT_FALSE(std::get<v1::Event>(result).ingress().signature_verified());
}

TEST_F(WebhookHandlerTest, RefusesWrongContentTypeBeforeSignature) {
  request_.content_type = "text/plain";
  request_.signature = "";
  auto result = PrepareWebhook(request_, Policy("gw"), transcoder_, &metrics_);
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(std::get<HttpError>(result).http_status, 415);
}

TEST_F(WebhookHandlerTest, RefusesBadSignatureAndCountsIt) {
  // `signature` is a view: the string must outlive the call.
  const std::string signature = SignHex("wrong", seed_);
  request_.signature = signature;
  auto result = PrepareWebhook(request_, Policy("gw"), transcoder_, &metrics_);
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(std::get<HttpError>(result).http_status, 401);
  EXPECT_THAT(metrics_.Render(),
              HasSubstr("vouchstream_gateway_signature_failures_total 1\n"));
}

TEST_F(WebhookHandlerTest, RefusesUnreadableBodyWithTranscoderMessage) {
  const std::string body = R"([{"publication": {"id": "pub_1"}}])";
  const std::string signature = SignHex("secretKey", body);
  request_.body = body;
  request_.signature = signature;
  auto result = PrepareWebhook(request_, Policy("gw"), transcoder_, &metrics_);
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  const HttpError& error = std::get<HttpError>(result);
  EXPECT_EQ(error.http_status, 400);
  EXPECT_THAT(error.body, HasSubstr("root: expected a JSON object"));
}

TEST_F(WebhookHandlerTest, KeepsAnOddValueInsteadOfRefusing) {
  const std::string body = R"({"publication": {"id": 5}})";
  const std::string signature = SignHex("secretKey", body);
  request_.body = body;
  request_.signature = signature;
  auto result = PrepareWebhook(request_, Policy("gw"), transcoder_, &metrics_);
  ASSERT_TRUE(std::holds_alternative<v1::Event>(result))
      << std::get<HttpError>(result).body;
  const v1::Event& event = std::get<v1::Event>(result);
  ASSERT_EQ(event.odd_values_size(), 1);
  EXPECT_EQ(event.odd_values(0).path(), "publication.id");
  EXPECT_EQ(event.odd_values(0).reason(), "expected a string, got number");
  EXPECT_EQ(event.raw(), body);
}

TEST_F(WebhookHandlerTest, RequireEnvelopeRefusesBareBodiesOnly) {
  WebhookPolicy policy = Policy("gw");
  policy.require_envelope = true;
  auto refused = PrepareWebhook(request_, policy, transcoder_, &metrics_);
  ASSERT_TRUE(std::holds_alternative<HttpError>(refused));
  EXPECT_EQ(std::get<HttpError>(refused).http_status, 400);
  EXPECT_THAT(std::get<HttpError>(refused).body,
              HasSubstr("--require-envelope"));
  // The same bytes as the body of a signed envelope are accepted.
  const std::string envelope = absl::StrCat(
      R"({"id":"whs_1","type":"publication.succeeded","data":)", seed_, "}");
  const std::string signature = SignHex("secretKey", envelope);
  request_.route = Route::kWebhookEnvelope;
  request_.body = envelope;
  request_.signature = signature;
  auto accepted = PrepareWebhook(request_, policy, transcoder_, &metrics_);
  ASSERT_TRUE(std::holds_alternative<v1::Event>(accepted))
      << std::get<HttpError>(accepted).body;
  EXPECT_EQ(std::get<v1::Event>(accepted).id(), "whs_1");
  EXPECT_EQ(std::get<v1::Event>(accepted).id_rule(), v1::ID_RULE_ENVELOPE_ID);
}

TEST(ContentTypeTest, AcceptsJsonWithParameters) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON; charset=UTF-8"));
  EXPECT_TRUE(IsJsonContentType(" application/json ;charset=utf-8"));
  EXPECT_FALSE(IsJsonContentType(""));
  EXPECT_FALSE(IsJsonContentType("text/json"));
  EXPECT_FALSE(IsJsonContentType("application/jsonx"));
  EXPECT_FALSE(IsJsonContentType("application/x-www-form-urlencoded"));
}

TEST(MetricsTest, RendersCountersAndHistogram) {
  Metrics metrics;
  metrics.RecordRequest(Route::kWebhookTyped, 200, absl::Microseconds(700), 100,
                        27);
  metrics.RecordRequest(Route::kWebhookTyped, 503, absl::Seconds(5), 100, 90);
  metrics.RecordUpstreamError(14);
  metrics.AddInFlight(2);
  const std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("vouchstream_gateway_requests_total{code="
                              "\"200\",route=\"webhook_typed\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("code=\"503\",route=\"webhook_typed\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("request_bytes_total 200\n"));
  EXPECT_THAT(text, HasSubstr("_bucket{le=\"0.0005\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("_bucket{le=\"0.001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("_bucket{le=\"5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("_count 2\n"));
  EXPECT_THAT(text, HasSubstr("upstream_errors_total{code=\"UNAVAILABLE\"} 1"));
  EXPECT_THAT(text, HasSubstr("in_flight_requests 2\n"));
}

}  // namespace
}  // namespace vouchstream::gateway
