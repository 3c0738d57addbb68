#include "tests/testing/proc_status.h"

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace vouchstream::testing {

absl::StatusOr<int64_t> RssKib(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  if (!in) {
    return absl::NotFoundError(absl::StrCat("no process ", pid));
  }
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (absl::ConsumePrefix(&rest, "VmRSS:")) {
      rest = absl::StripAsciiWhitespace(rest);
      absl::ConsumeSuffix(&rest, " kB");
      int64_t kib = 0;
      if (absl::SimpleAtoi(rest, &kib)) {
        return kib;
      }
    }
  }
  return absl::NotFoundError(absl::StrCat("process ", pid, ": no VmRSS"));
}

}  // namespace vouchstream::testing
