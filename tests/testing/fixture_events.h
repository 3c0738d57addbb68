#pragma once
// The typed events of testdata/voucherify/events (one fixture body per
// Voucherify event type), transcoded by the gateway's walker, for tests that
// run a rule over every event family.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/event.pb.h"

namespace vouchstream::testing {

// The event types that have a fixture, sorted.
std::vector<std::string> FixtureEventTypes();

// A test name for a type parameter: "redemption.succeeded" ->
// "redemption_succeeded" (INSTANTIATE_TEST_SUITE_P's name generator).
std::string FixtureTestName(const ::testing::TestParamInfo<std::string>& info);

// The fixture of `type` as the gateway would hand it to the service (typed
// payload, `raw` set), received at 2026-01-02T03:04:05Z.
absl::StatusOr<v1::Event> FixtureEvent(const std::string& type);

}  // namespace vouchstream::testing
