#pragma once
// Exponential backoff with full jitter between reconnect attempts: the n-th
// delay is uniform in [0, min(initial * multiplier^n, maximum)], which
// spreads many clients reconnecting to one restarted server.
//
//   Backoff backoff(Backoff::Options{});
//   absl::SleepFor(backoff.NextDelay());  // after a failed attempt
//   backoff.Reset();                      // after a successful read
//
// Thread-compatible: one owner calls it.

#include <cstdint>
#include <random>

#include "absl/time/time.h"

namespace vouchstream::client {

class Backoff {
 public:
  // | field        | default | meaning                                  |
  // |--------------|---------|------------------------------------------|
  // | `initial`    | 100 ms  | bound of the first delay                 |
  // | `maximum`    | 10 s    | bound never exceeded                     |
  // | `multiplier` | 2       | growth of the bound after each delay     |
  struct Options {
    absl::Duration initial = absl::Milliseconds(100);
    absl::Duration maximum = absl::Seconds(10);
    double multiplier = 2.0;
  };

  // Draws the jitter from a generator seeded with `seed`: tests pass a fixed
  // seed, the default constructor a random one.
  Backoff(const Options& options, uint64_t seed);
  explicit Backoff(const Options& options);

  // The next delay; grows the bound for the one after.
  absl::Duration NextDelay();
  // Starts again from `initial`.
  void Reset() { bound_ = options_.initial; }

  // The bound the next delay is drawn under.
  absl::Duration bound() const { return bound_; }

 private:
  Options options_;
  absl::Duration bound_;
  std::mt19937_64 rng_;
};

}  // namespace vouchstream::client
