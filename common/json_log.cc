#include "common/json_log.h"

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "re2/re2.h"

namespace vouchstream::common {
namespace {

void Write(absl::string_view level, absl::string_view msg,
           std::initializer_list<LogField> fields) {
  std::string line = absl::StrCat(
      R"({"time":)",
      JsonQuote(absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ", absl::Now(),
                                 absl::UTCTimeZone())),
      R"(,"level":")", level, R"(","msg":)", JsonQuote(msg));
  for (const LogField& field : fields) {
    absl::StrAppend(&line, ",", JsonQuote(field.key()), ":", field.json());
  }
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

std::string MaskEmails(absl::string_view text) {
  std::string out(text);
  if (!absl::StrContains(text, '@')) {
    return out;
  }
  static const RE2* const kEmail = new RE2(R"([^\s@"'<>/]+@[^\s@"'<>]+)");
  RE2::GlobalReplace(&out, *kEmail, "<email>");
  return out;
}

LogField::LogField(absl::string_view key, absl::string_view value)
    : key_(key), json_(JsonQuote(MaskEmails(value))) {}
LogField::LogField(absl::string_view key, int64_t value)
    : key_(key), json_(absl::StrCat(value)) {}
LogField::LogField(absl::string_view key, uint64_t value)
    : key_(key), json_(absl::StrCat(value)) {}
LogField::LogField(absl::string_view key, bool value)
    : key_(key), json_(value ? "true" : "false") {}
LogField::LogField(absl::string_view key, double value)
    : key_(key), json_(absl::StrCat(value)) {}
LogField::LogField(absl::string_view key, const absl::Status& status)
    : key_(key),
      json_(absl::StrCat(
          "{\"code\":", JsonQuote(absl::StatusCodeToString(status.code())),
          ",\"error\":", JsonQuote(MaskEmails(status.message())), "}")) {}

void LogInfo(absl::string_view msg, std::initializer_list<LogField> fields) {
  Write("info", msg, fields);
}
void LogWarning(absl::string_view msg, std::initializer_list<LogField> fields) {
  Write("warning", msg, fields);
}
void LogError(absl::string_view msg, std::initializer_list<LogField> fields) {
  Write("error", msg, fields);
}

}  // namespace vouchstream::common
