#pragma once
// Reads the Prometheus text format for the metrics tests: every sample as
// "name{labels}" exactly as exposed (prometheus-cpp sorts label names), and
// `promtool check metrics` on a scrape.
//
//   absl::StatusOr<Samples> samples = ParseSamples(text);
//   double stored = Value(*samples,
//       R"(vouchstream_service_events_total{family="publication",result="stored"})");
//   EXPECT_THAT(PromtoolCheckMetrics(text), IsOk());

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vouchstream::testing {

// Series as exposed -> value.
using Samples = std::map<std::string, double>;

// kInvalidArgument for a sample line without a value.
absl::StatusOr<Samples> ParseSamples(absl::string_view text);

// The value of `series`; -1 when absent (counters are never negative).
double Value(const Samples& samples, const std::string& series);

// The sum over every series of metric `name` whose labels contain each of
// `label_matchers` ("result=\"stored\"").
double Sum(const Samples& samples, absl::string_view name,
           std::initializer_list<absl::string_view> label_matchers = {});

// Whether any series of metric `name` is exposed.
bool Has(const Samples& samples, absl::string_view name);

// Runs `promtool check metrics` (Debian's prometheus package) on `text`;
// kFailedPrecondition with promtool's output when it finds a problem.
absl::Status PromtoolCheckMetrics(const std::string& text);

// GET /metrics of the plain-HTTP endpoint at `address` (HOST:PORT).
absl::StatusOr<std::string> Scrape(absl::string_view address);

}  // namespace vouchstream::testing
