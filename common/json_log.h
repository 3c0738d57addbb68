#pragma once
// Structured log lines: one JSON object per line on stderr, so that log
// shippers need no parser of their own.
//
//   LogInfo("listening", {{"address", "127.0.0.1:50051"}, {"port", 50051}});
//   // {"time":"2024-05-01T10:00:00.123456Z","level":"info",
//   //  "msg":"listening","address":"127.0.0.1:50051","port":50051}
//
// Log lines never carry an email address (issue 8): any run of text around
// an "@" in a string value or status message is written as "<email>", a last
// line of defence behind messages that name fields instead of quoting values.
// (It masks "user:password@host" in URLs too.)
//
// Thread-safe: each line is written with one fwrite, so lines from several
// threads do not interleave.

#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

#include "common/json_escape.h"

namespace vouchstream::common {

// One key and its value, already in JSON form (emails masked).
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view value);
  LogField(absl::string_view key, const char* value)
      : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, const std::string& value)
      : LogField(key, absl::string_view(value)) {}
  LogField(absl::string_view key, int64_t value);
  LogField(absl::string_view key, uint64_t value);
  LogField(absl::string_view key, int value)
      : LogField(key, static_cast<int64_t>(value)) {}
  LogField(absl::string_view key, bool value);
  LogField(absl::string_view key, double value);
  // {"code": "UNAVAILABLE", "error": message}
  LogField(absl::string_view key, const absl::Status& status);

  const std::string& key() const { return key_; }
  const std::string& json() const { return json_; }

 private:
  std::string key_;
  std::string json_;
};

void LogInfo(absl::string_view msg,
             std::initializer_list<LogField> fields = {});
void LogWarning(absl::string_view msg,
                std::initializer_list<LogField> fields = {});
void LogError(absl::string_view msg,
              std::initializer_list<LogField> fields = {});

// `text` with every email-like run ("a@b", no whitespace or quotes) replaced
// by "<email>" ("nats://u:p@h" becomes "nats://<email>").
std::string MaskEmails(absl::string_view text);

}  // namespace vouchstream::common
