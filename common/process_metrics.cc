#include "common/process_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include <sys/resource.h>

namespace vouchstream::common {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// /proc/self/stat's fields after the command name, which is in parentheses
// and may itself hold spaces: field 3 (state) is element 0.
std::optional<std::vector<std::string>> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::stringstream text;
  text << in.rdbuf();
  const std::string stat = text.str();
  const size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 > stat.size()) {
    return std::nullopt;
  }
  return absl::StrSplit(absl::string_view(stat).substr(close + 2), ' ',
                        absl::SkipEmpty());
}

// Field `number` of proc(5)'s numbering (3 = state).
std::optional<double> StatField(const std::vector<std::string>& fields,
                                size_t number) {
  double value = 0;
  if (number < 3 || number - 3 >= fields.size() ||
      !absl::SimpleAtod(fields[number - 3], &value)) {
    return std::nullopt;
  }
  return value;
}

// Seconds since the epoch at boot (/proc/stat's btime).
std::optional<double> BootTime() {
  std::ifstream in("/proc/stat");
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "btime ")) {
      double value = 0;
      if (absl::SimpleAtod(absl::string_view(line).substr(6), &value)) {
        return value;
      }
    }
  }
  return std::nullopt;
}

std::optional<double> OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    return std::nullopt;
  }
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') {
      ++count;
    }
  }
  closedir(dir);
  return count - 1;  // The directory's own descriptor.
}

void Add(std::vector<MetricFamily>& families, const char* name,
         const char* help, MetricType type, std::optional<double> value) {
  if (!value.has_value()) {
    return;
  }
  ClientMetric metric;
  if (type == MetricType::Counter) {
    metric.counter.value = *value;
  } else {
    metric.gauge.value = *value;
  }
  families.push_back(MetricFamily{name, help, type, {metric}});
}

}  // namespace

std::vector<MetricFamily> ProcessMetrics::Collect() const {
  std::vector<MetricFamily> families;
  const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const auto page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const std::optional<std::vector<std::string>> stat = StatFields();
  if (stat.has_value() && ticks > 0) {
    // proc(5): 14 utime, 15 stime (ticks), 22 starttime (ticks after boot),
    // 23 vsize (bytes), 24 rss (pages).
    const std::optional<double> utime = StatField(*stat, 14);
    const std::optional<double> stime = StatField(*stat, 15);
    if (utime.has_value() && stime.has_value()) {
      Add(families, "process_cpu_seconds_total",
          "Total user and system CPU time spent in seconds.",
          MetricType::Counter, (*utime + *stime) / ticks);
    }
    const std::optional<double> rss = StatField(*stat, 24);
    Add(families, "process_resident_memory_bytes",
        "Resident memory size in bytes.", MetricType::Gauge,
        rss.has_value() ? std::optional<double>(*rss * page) : std::nullopt);
    Add(families, "process_virtual_memory_bytes",
        "Virtual memory size in bytes.", MetricType::Gauge,
        StatField(*stat, 23));
    const std::optional<double> start = StatField(*stat, 22);
    const std::optional<double> boot = BootTime();
    if (start.has_value() && boot.has_value()) {
      Add(families, "process_start_time_seconds",
          "Start time of the process since unix epoch in seconds.",
          MetricType::Gauge, *boot + *start / ticks);
    }
  }
  Add(families, "process_open_fds", "Number of open file descriptors.",
      MetricType::Gauge, OpenFds());
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur != RLIM_INFINITY) {
    Add(families, "process_max_fds", "Maximum number of open file descriptors.",
        MetricType::Gauge, static_cast<double>(limit.rlim_cur));
  }
  return families;
}

}  // namespace vouchstream::common
