#pragma once
// A small tmpfs mounted on an existing directory for one test, so that the
// test can fill the disk or make it read-only under a running process, and
// unmounted by the destructor on every path (also when an assertion fails).
// Needs CAP_SYS_ADMIN (root); `Mount` says so when it is missing.
//
//   TempDir dir;
//   auto disk = TmpfsMount::Mount(dir.File("disk"), 1 << 20);  // 1 MiB
//   ASSERT_THAT(disk, IsOk());
//   ... fill it; the writer gets ENOSPC ...
//   ASSERT_THAT((*disk)->Resize(16 << 20), IsOk());  // space returns
//   ASSERT_THAT((*disk)->SetReadOnly(true), IsOk());
//
// Thread-compatible. Declare it before any process that writes into it, so
// that the process is stopped first; the unmount is lazy (MNT_DETACH), so it
// also succeeds while files are still open.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vouchstream::testing {

class TmpfsMount {
 public:
  // Creates `dir` if needed and mounts a tmpfs of `size_bytes` on it
  // (mode 0700). kPermissionDenied without the right to mount.
  static absl::StatusOr<std::unique_ptr<TmpfsMount>> Mount(
      const std::string& dir, uint64_t size_bytes);

  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  ~TmpfsMount();

  // Changes the size limit in place; files stay. Shrinking below what is
  // used fails.
  absl::Status Resize(uint64_t size_bytes);
  // Remounts read-only (writes then fail with EROFS) or read-write again.
  absl::Status SetReadOnly(bool read_only);

  const std::string& path() const { return dir_; }

 private:
  TmpfsMount(std::string dir, uint64_t size_bytes)
      : dir_(std::move(dir)), size_bytes_(size_bytes) {}
  absl::Status Remount();

  std::string dir_;
  uint64_t size_bytes_;
  bool read_only_ = false;
};

}  // namespace vouchstream::testing
