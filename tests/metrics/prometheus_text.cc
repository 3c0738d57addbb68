#include "tests/metrics/prometheus_text.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "tests/testing/http_client.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::testing {

absl::StatusOr<Samples> ParseSamples(absl::string_view text) {
  Samples samples;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "#")) {
      continue;
    }
    // Label values of these metrics hold no spaces: the value follows the
    // last space (no timestamps are exposed).
    const size_t space = line.rfind(' ');
    double value = 0;
    if (space == absl::string_view::npos ||
        !absl::SimpleAtod(line.substr(space + 1), &value)) {
      return absl::InvalidArgumentError(absl::StrCat("bad sample: ", line));
    }
    samples[std::string(line.substr(0, space))] = value;
  }
  return samples;
}

double Value(const Samples& samples, const std::string& series) {
  const auto it = samples.find(series);
  return it == samples.end() ? -1 : it->second;
}

namespace {

// Whether `series` is metric `name` itself (not name_bucket etc.).
bool IsMetric(absl::string_view series, absl::string_view name) {
  return absl::StartsWith(series, name) &&
         (series.size() == name.size() || series[name.size()] == '{');
}

}  // namespace

double Sum(const Samples& samples, absl::string_view name,
           std::initializer_list<absl::string_view> label_matchers) {
  double sum = 0;
  for (const auto& [series, value] : samples) {
    if (!IsMetric(series, name)) {
      continue;
    }
    bool match = true;
    for (absl::string_view matcher : label_matchers) {
      match = match && (absl::StrContains(series, absl::StrCat("{", matcher)) ||
                        absl::StrContains(series, absl::StrCat(",", matcher)));
    }
    if (match) {
      sum += value;
    }
  }
  return sum;
}

bool Has(const Samples& samples, absl::string_view name) {
  for (const auto& [series, value] : samples) {
    if (IsMetric(series, name)) {
      return true;
    }
  }
  return false;
}

absl::Status PromtoolCheckMetrics(const std::string& text) {
  TempDir dir;
  const std::string path = dir.File("metrics.txt");
  {
    std::ofstream out(path);
    out << text;
  }
  absl::StatusOr<CommandResult> checked = RunCommand(
      {"/bin/sh", "-c", absl::StrCat("exec promtool check metrics < ", path)});
  if (!checked.ok()) {
    return checked.status();
  }
  if (checked->exit_code != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("promtool check metrics: ", checked->output));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Scrape(absl::string_view address) {
  int port = 0;
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(absl::StrCat("no port in ", address));
  }
  absl::StatusOr<HttpResponse> response = HttpGet(port, "/metrics");
  if (!response.ok()) {
    return response.status();
  }
  if (response->status != 200) {
    return absl::InternalError(
        absl::StrCat("GET /metrics on ", address, ": HTTP ", response->status));
  }
  return response->body;
}

}  // namespace vouchstream::testing
