#pragma once
// Per-source token buckets for `--rate-limit` / `--rate-burst`: each source
// (a client IP address) may send `burst` requests at once and then `rate`
// requests per second on average. A refused request learns how long to
// wait before one token is back (the 429's `Retry-After`).
//
//   RateLimiter limiter({.rate = 5, .burst = 10});
//   RateLimiter::Decision decision = limiter.Admit("203.0.113.7");
//   if (!decision.allowed) { ... 429, Retry-After: decision.retry_after ... }
//
// Each bucket is kept as the time at which it is full again (the generic
// cell rate algorithm's "theoretical arrival time"), in absl::Duration's
// integer arithmetic, so a steady rate is admitted exactly.
//
// Memory is bounded: at most `max_sources` buckets are tracked. When a new
// source finds the table full, buckets that have refilled (idle sources:
// forgetting them changes nothing, a new bucket starts full too) are
// dropped; if none has, the bucket closest to full is forgotten, which at
// worst gives that source a fresh burst early.
//
// Thread-safe.

#include <cstddef>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include <boost/asio/ip/address.hpp>

namespace vouchstream::gateway {

// The bucket key of a client address: an IPv4 address as itself (an
// IPv4-mapped IPv6 one as the IPv4 address it carries), an IPv6 address as
// its /64 network, because one host (one customer link) usually holds a
// whole /64 and could otherwise take a fresh bucket per address.
std::string RateLimitKey(const boost::asio::ip::address& address);

class RateLimiter {
 public:
  //   option       default
  //   rate         0 (off: every request is allowed, nothing is tracked)
  //   burst        1 (raised to 1 if lower)
  //   max_sources  10000 buckets (about 1 MB)
  //   clock        absl::Now (tests inject a fake)
  struct Options {
    double rate = 0;  // Requests per second per source.
    int burst = 1;
    size_t max_sources = 10000;
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };

  struct Decision {
    bool allowed = true;
    // When refused: the time until one token is back (> 0).
    absl::Duration retry_after;
  };

  explicit RateLimiter(Options options);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  bool enabled() const { return options_.rate > 0; }

  // Takes one token from `source`'s bucket if it has one.
  Decision Admit(absl::string_view source) ABSL_LOCKS_EXCLUDED(mu_);

  // Sources tracked now (never more than `max_sources`).
  size_t tracked_sources() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Makes room for one more bucket; `mu_` held.
  void Evict(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const absl::Duration interval_;  // 1 / rate: the cost of one request.
  const absl::Duration capacity_;  // burst * interval_.
  mutable absl::Mutex mu_;
  // Source -> the time its bucket is full again.
  absl::flat_hash_map<std::string, absl::Time> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::gateway
