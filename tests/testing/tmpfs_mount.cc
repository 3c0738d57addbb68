#include "tests/testing/tmpfs_mount.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include <sys/mount.h>
#include <sys/stat.h>

namespace vouchstream::testing {
namespace {

absl::Status ErrnoStatus(int error, const std::string& what) {
  const std::string message = absl::StrCat(what, ": ", std::strerror(error));
  if (error == EPERM || error == EACCES) {
    return absl::PermissionDeniedError(
        absl::StrCat(message, " (mounting a tmpfs needs root)"));
  }
  return absl::InternalError(message);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TmpfsMount>> TmpfsMount::Mount(
    const std::string& dir, uint64_t size_bytes) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, absl::StrCat("mkdir ", dir));
  }
  const std::string data = absl::StrCat("size=", size_bytes, ",mode=0700");
  if (mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
            data.c_str()) != 0) {
    return ErrnoStatus(errno, absl::StrCat("mount -t tmpfs ", dir));
  }
  return std::unique_ptr<TmpfsMount>(new TmpfsMount(dir, size_bytes));
}

TmpfsMount::~TmpfsMount() { umount2(dir_.c_str(), MNT_DETACH); }

absl::Status TmpfsMount::Resize(uint64_t size_bytes) {
  const uint64_t old_size = size_bytes_;
  size_bytes_ = size_bytes;
  absl::Status status = Remount();
  if (!status.ok()) {
    size_bytes_ = old_size;
  }
  return status;
}

absl::Status TmpfsMount::SetReadOnly(bool read_only) {
  const bool old = read_only_;
  read_only_ = read_only;
  absl::Status status = Remount();
  if (!status.ok()) {
    read_only_ = old;
  }
  return status;
}

absl::Status TmpfsMount::Remount() {
  const std::string data = absl::StrCat("size=", size_bytes_);
  unsigned long flags =  // NOLINT(google-runtime-int): mount(2)'s type.
      MS_REMOUNT | MS_NOSUID | MS_NODEV;
  if (read_only_) {
    flags |= MS_RDONLY;
  }
  if (mount("tmpfs", dir_.c_str(), "tmpfs", flags, data.c_str()) != 0) {
    return ErrnoStatus(errno, absl::StrCat("remount ", dir_, " ", data,
                                           read_only_ ? ",ro" : ",rw"));
  }
  return absl::OkStatus();
}

}  // namespace vouchstream::testing
