#pragma once
// The last processed seq, kept in a small text file so that a restarted
// consumer resumes after it. `Save` writes a temporary file in the same
// directory, fsyncs it and renames it over the old one, so a crash leaves
// the old value or the new one, never a torn file.
//
//   FileCursor cursor("/var/lib/consumer/last_seq");
//   absl::StatusOr<std::optional<uint64_t>> last = cursor.Load();
//   ... handle the event with seq 42 ...
//   absl::Status saved = cursor.Save(42);
//
// Thread-compatible: one writer per file.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vouchstream::client {

class FileCursor {
 public:
  explicit FileCursor(std::string path) : path_(std::move(path)) {}

  // The saved seq, or nullopt when the file does not exist yet.
  // kDataLoss when the file holds something other than a seq; kInternal
  // when it cannot be read.
  absl::StatusOr<std::optional<uint64_t>> Load() const;

  // Durably replaces the saved seq. kInternal on a disk error.
  absl::Status Save(uint64_t seq) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace vouchstream::client
