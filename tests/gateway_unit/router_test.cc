#include "gateway/webhook/router.h"

#include "gtest/gtest.h"

namespace vouchstream::gateway {
namespace {

struct RouteCase {
  const char* method;
  const char* target;
  Route route;
  bool method_allowed;
  const char* type;
};

TEST(RouterTest, MatchesRoutesAndMethods) {
  static const RouteCase kCases[] = {
      {"POST", "/webhooks/voucherify", Route::kWebhookEnvelope, true, ""},
      {"POST", "/webhooks/voucherify?x=1", Route::kWebhookEnvelope, true, ""},
      {"GET", "/webhooks/voucherify", Route::kWebhookEnvelope, false, ""},
      {"POST", "/webhooks/voucherify/publication.succeeded",
       Route::kWebhookTyped, true, "publication.succeeded"},
      {"PUT", "/webhooks/voucherify/voucher.published", Route::kWebhookTyped,
       false, "voucher.published"},
      {"POST", "/webhooks/voucherify/", Route::kNotFound, false, ""},
      {"POST", "/webhooks/voucherify/a/b", Route::kNotFound, false, ""},
      {"POST", "/webhooks/voucherify/a%20b", Route::kNotFound, false, ""},
      {"POST", "/webhooks/voucherifyx", Route::kNotFound, false, ""},
      {"GET", "/healthz", Route::kHealthz, true, ""},
      {"POST", "/healthz", Route::kHealthz, false, ""},
      {"GET", "/readyz", Route::kReadyz, true, ""},
      {"GET", "/metrics", Route::kMetrics, true, ""},
      {"GET", "/", Route::kNotFound, false, ""},
      {"POST", "/webhooks", Route::kNotFound, false, ""},
  };
  for (const RouteCase& test : kCases) {
    const RouteMatch match = MatchRoute(test.method, test.target);
    EXPECT_EQ(match.route, test.route) << test.method << " " << test.target;
    EXPECT_EQ(match.method_allowed, test.method_allowed)
        << test.method << " " << test.target;
    EXPECT_EQ(match.type, test.type) << test.method << " " << test.target;
  }
}

TEST(RouterTest, AllowNamesTheRouteMethod) {
  EXPECT_STREQ(MatchRoute("GET", "/webhooks/voucherify").allow, "POST");
  EXPECT_STREQ(MatchRoute("DELETE", "/metrics").allow, "GET");
}

}  // namespace
}  // namespace vouchstream::gateway
