#include "gateway/http/source_admission.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

#include "gateway/webhook/refusal.h"

namespace vouchstream::gateway {
namespace {

bool IsOperational(Route route) {
  return route == Route::kHealthz || route == Route::kReadyz ||
         route == Route::kMetrics;
}

}  // namespace

std::optional<HttpError> AdmitSource(const GatewayContext& context,
                                     const boost::asio::ip::address& source,
                                     Route route) {
  if (IsOperational(route)) {
    return std::nullopt;
  }
  if (context.allow_list != nullptr && !context.allow_list->Allows(source)) {
    context.metrics->RecordRefusal(Refusal::kSourceNotAllowed);
    return RefusalError(
        Refusal::kSourceNotAllowed,
        absl::StrCat("source ", source.to_string(),
                     " is not in the gateway's --allow-from list"));
  }
  if (context.rate_limiter != nullptr && context.rate_limiter->enabled()) {
    const RateLimiter::Decision decision =
        context.rate_limiter->Admit(RateLimitKey(source));
    context.metrics->SetRateLimitSources(
        context.rate_limiter->tracked_sources());
    if (!decision.allowed) {
      context.metrics->RecordRefusal(Refusal::kRateLimited);
      const auto seconds = static_cast<int>(
          std::ceil(absl::ToDoubleSeconds(decision.retry_after)));
      return RefusalError(
          Refusal::kRateLimited,
          absl::StrCat("source ", source.to_string(),
                       " is over the gateway's --rate-limit of ",
                       context.options->rate_limit, " requests/s"),
          seconds);
    }
  }
  return std::nullopt;
}

}  // namespace vouchstream::gateway
