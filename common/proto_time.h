#pragma once
// google.protobuf.Timestamp <-> absl::Time, exact to the nanosecond, for
// every component (the validator's and enricher's time rules, the RPC
// layer's receive time and start position).
//
//   absl::Time received = common::ToAbslTime(event.received_at());
//   *event.mutable_received_at() = common::ToProtoTimestamp(absl::Now());
//
// Thread-safe: free functions without state.

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace vouchstream::common {

// `timestamp` as an absl::Time. A Timestamp outside its documented range
// (years 1 to 9999, nanos 0 to 999999999) converts all the same: seconds
// and nanos are added as they are.
absl::Time ToAbslTime(const google::protobuf::Timestamp& timestamp);

// `time` as a Timestamp: seconds since the epoch rounded down, and nanos in
// [0, 1e9). absl::InfiniteFuture() and InfinitePast() saturate to the
// largest and smallest values `timespec` holds.
google::protobuf::Timestamp ToProtoTimestamp(absl::Time time);

}  // namespace vouchstream::common
