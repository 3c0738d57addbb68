#include "gateway/webhook/router.h"

#include <algorithm>

#include "absl/strings/match.h"

namespace vouchstream::gateway {
namespace {

constexpr absl::string_view kWebhookPath = "/webhooks/voucherify";
constexpr size_t kMaxTypeLength = 128;

bool IsTypeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool IsValidType(absl::string_view type) {
  if (type.empty() || type.size() > kMaxTypeLength) {
    return false;
  }
  return std::all_of(type.begin(), type.end(), IsTypeChar);
}

RouteMatch Match(Route route, bool method_ok, const char* allow) {
  RouteMatch match;
  match.route = route;
  match.method_allowed = method_ok;
  match.allow = allow;
  return match;
}

}  // namespace

RouteMatch MatchRoute(absl::string_view method, absl::string_view target) {
  const size_t query = target.find('?');
  const absl::string_view path =
      query == absl::string_view::npos ? target : target.substr(0, query);
  const bool post = method == "POST";
  const bool get = method == "GET";
  if (path == kWebhookPath) {
    return Match(Route::kWebhookEnvelope, post, "POST");
  }
  if (absl::StartsWith(path, kWebhookPath) &&
      path.size() > kWebhookPath.size() && path[kWebhookPath.size()] == '/') {
    const absl::string_view type = path.substr(kWebhookPath.size() + 1);
    if (!IsValidType(type)) {
      return Match(Route::kNotFound, false, "");
    }
    RouteMatch match = Match(Route::kWebhookTyped, post, "POST");
    match.type = type;
    return match;
  }
  if (path == "/healthz") {
    return Match(Route::kHealthz, get, "GET");
  }
  if (path == "/readyz") {
    return Match(Route::kReadyz, get, "GET");
  }
  if (path == "/metrics") {
    return Match(Route::kMetrics, get, "GET");
  }
  return Match(Route::kNotFound, false, "");
}

const char* RouteLabel(Route route) {
  switch (route) {
    case Route::kWebhookEnvelope:
      return "webhook";
    case Route::kWebhookTyped:
      return "webhook_typed";
    case Route::kHealthz:
      return "healthz";
    case Route::kReadyz:
      return "readyz";
    case Route::kMetrics:
      return "metrics";
    case Route::kNotFound:
      return "not_found";
  }
  return "not_found";
}

}  // namespace vouchstream::gateway
