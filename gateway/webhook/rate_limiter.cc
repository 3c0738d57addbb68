#include "gateway/webhook/rate_limiter.h"

#include <algorithm>
#include <utility>

#include <boost/asio/ip/network_v6.hpp>

namespace vouchstream::gateway {
namespace {

namespace ip = boost::asio::ip;

RateLimiter::Options Sanitized(RateLimiter::Options options) {
  options.burst = std::max(options.burst, 1);
  options.max_sources = std::max<size_t>(options.max_sources, 1);
  return options;
}

}  // namespace

std::string RateLimitKey(const ip::address& address) {
  if (address.is_v4()) {
    return address.to_string();
  }
  const ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, v6).to_string();
  }
  return ip::network_v6(v6, 64).canonical().to_string();
}

RateLimiter::RateLimiter(Options options)
    : options_(Sanitized(std::move(options))),
      interval_(options_.rate > 0 ? absl::Seconds(1) / options_.rate
                                  : absl::ZeroDuration()),
      capacity_(interval_ * options_.burst) {}

// A request costs `interval_`; the bucket is "full at" `full_at`, and holds
// a token while `full_at - now + interval_ <= capacity_`.
RateLimiter::Decision RateLimiter::Admit(absl::string_view source) {
  Decision decision;
  if (!enabled()) {
    return decision;
  }
  const absl::Time now = options_.clock();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(source);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_sources) {
      Evict(now);
    }
    it = buckets_.emplace(source, now).first;
  }
  const absl::Time full_at = std::max(it->second, now);
  const absl::Duration after = full_at + interval_ - now;
  if (after <= capacity_) {
    it->second = full_at + interval_;
    return decision;
  }
  decision.allowed = false;
  decision.retry_after = after - capacity_;
  return decision;
}

// One pass over the table: O(max_sources) per new source while the table
// is full, a few microseconds for the default size.
void RateLimiter::Evict(absl::Time now) {
  auto closest = buckets_.end();
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (it->second <= now) {
      buckets_.erase(it++);
      continue;
    }
    if (closest == buckets_.end() || it->second < closest->second) {
      closest = it;
    }
    ++it;
  }
  if (buckets_.size() >= options_.max_sources && closest != buckets_.end()) {
    buckets_.erase(closest);
  }
}

size_t RateLimiter::tracked_sources() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace vouchstream::gateway
