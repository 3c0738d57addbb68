#include "gateway/rate_limiter.h"

#include <algorithm>
#include <utility>

namespace vouchstream::gateway {

RateLimiter::RateLimiter(Options options)
    : options_([&] {
        options.burst = std::max(options.burst, 1);
        options.max_sources = std::max<size_t>(options.max_sources, 1);
        return std::move(options);
      }()) {}

double RateLimiter::Refilled(const Bucket& bucket, absl::Time now) const {
  const double elapsed =
      std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  return std::min(static_cast<double>(options_.burst),
                  bucket.tokens + elapsed * options_.rate);
}

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
    it = buckets_
             .emplace(std::string(source),
                      Bucket{static_cast<double>(options_.burst), now})
             .first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = Refilled(bucket, now);
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return decision;
  }
  decision.allowed = false;
  decision.retry_after = absl::Seconds((1 - bucket.tokens) / options_.rate);
  if (decision.retry_after <= absl::ZeroDuration()) {
    decision.retry_after = absl::Nanoseconds(1);
  }
  return decision;
}

// One pass over the table: O(max_sources) per new source while the table
// is full, a few microseconds for the default size.
void RateLimiter::Evict(absl::Time now) {
  auto oldest = buckets_.end();
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (Refilled(it->second, now) >= options_.burst) {
      buckets_.erase(it++);
      continue;
    }
    if (oldest == buckets_.end() ||
        it->second.updated < oldest->second.updated) {
      oldest = it;
    }
    ++it;
  }
  if (buckets_.size() >= options_.max_sources && oldest != buckets_.end()) {
    buckets_.erase(oldest);
  }
}

size_t RateLimiter::tracked_sources() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

}  // namespace vouchstream::gateway
