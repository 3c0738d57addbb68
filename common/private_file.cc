#include "common/private_file.h"

#include "absl/strings/str_format.h"
#include <sys/stat.h>

namespace vouchstream::common {

absl::Status CheckPrivateFile(absl::string_view flag, const std::string& path) {
  // stat, not lstat: the mode that matters is the one of the file read.
  struct stat info {};
  if (path.empty() || stat(path.c_str(), &info) != 0) {
    return absl::OkStatus();
  }
  const unsigned mode = info.st_mode & 07777U;
  if ((mode & (S_IRGRP | S_IROTH)) == 0) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrFormat(
      "%s %s: mode %04o lets group/others read it; chmod 600 it, or pass %s",
      flag, path, mode, kAllowLooseFilesFlag));
}

}  // namespace vouchstream::common
