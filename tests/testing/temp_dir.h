#pragma once
// A fresh directory under $TMPDIR (or /tmp) for one test, removed with
// everything in it by the destructor.
//
//   TempDir dir;
//   options.path = dir.path() + "/events.db";
//
// Thread-compatible.

#include <string>

namespace vouchstream::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // `path()` + "/" + `name`.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace vouchstream::testing
