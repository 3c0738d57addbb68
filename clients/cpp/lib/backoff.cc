#include "clients/cpp/lib/backoff.h"

#include <algorithm>

namespace vouchstream::client {

Backoff::Backoff(const Options& options, uint64_t seed)
    : options_(options), bound_(options.initial), rng_(seed) {}

Backoff::Backoff(const Options& options)
    : Backoff(options, std::random_device{}()) {}

absl::Duration Backoff::NextDelay() {
  std::uniform_real_distribution<double> fraction(0.0, 1.0);
  const absl::Duration delay = bound_ * fraction(rng_);
  bound_ = std::min(bound_ * options_.multiplier, options_.maximum);
  return delay;
}

}  // namespace vouchstream::client
