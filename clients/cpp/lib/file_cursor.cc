#include "clients/cpp/lib/file_cursor.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace vouchstream::client {
namespace {

absl::Status ErrnoError(const std::string& what, const std::string& path) {
  return absl::InternalError(
      absl::StrCat(what, " \"", path, "\": ", std::strerror(errno)));
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

absl::StatusOr<std::optional<uint64_t>> FileCursor::Load() const {
  std::ifstream in(path_);
  if (!in) {
    if (errno == ENOENT) {
      return std::nullopt;
    }
    return ErrnoError("cannot read cursor", path_);
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string content(absl::StripAsciiWhitespace(text.str()));
  if (content.empty()) {
    return std::nullopt;
  }
  uint64_t seq = 0;
  if (!absl::SimpleAtoi(content, &seq)) {
    return absl::DataLossError(
        absl::StrCat("cursor \"", path_, "\": not a seq: \"", content, "\""));
  }
  return seq;
}

absl::Status FileCursor::Save(uint64_t seq) const {
  std::string tmp = DirectoryOf(path_) + "/.cursor-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    return ErrnoError("cannot create a temporary file for cursor", path_);
  }
  const std::string line = absl::StrCat(seq, "\n");
  const bool written = write(fd, line.data(), line.size()) ==
                           static_cast<ssize_t>(line.size()) &&
                       fsync(fd) == 0;
  absl::Status write_error =
      written ? absl::OkStatus() : ErrnoError("cannot write cursor", tmp);
  close(fd);
  if (!write_error.ok()) {
    unlink(tmp.c_str());
    return write_error;
  }
  if (rename(tmp.c_str(), path_.c_str()) != 0) {
    absl::Status status = ErrnoError("cannot rename cursor to", path_);
    unlink(tmp.c_str());
    return status;
  }
  return absl::OkStatus();
}

}  // namespace vouchstream::client
