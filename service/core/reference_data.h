#pragma once
// Operator-supplied reference data that enrichment joins events against, read
// from a JSON file such as
//
//   {
//     "campaigns": {"camp_EV79Z6CjaAMpX4pFxVivvzzk": {"owner_team": "growth"}},
//     "products":  {"prod_0df14b7e7d8975079d": {"product_name": "Espresso"}}
//   }
//
// An event about campaign C gets `campaigns[C]`'s entries in
// `enrichment.reference`; a UNIT discount of product P gets `products[P]`'s.
//
// ReferenceStore is thread-safe: Get() may race with Reload() (SIGHUP).

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace vouchstream::core {

// One immutable snapshot of the reference file.
struct ReferenceData {
  // campaign id -> facts, product id -> facts.
  std::map<std::string, std::map<std::string, std::string>> campaigns;
  std::map<std::string, std::map<std::string, std::string>> products;

  // Parses the JSON text above. kInvalidArgument names what is wrong.
  static absl::StatusOr<ReferenceData> Parse(absl::string_view json);
};

class ReferenceStore {
 public:
  // An empty store (no file configured).
  ReferenceStore() = default;
  // Reads `path`; fails when it cannot be read or parsed.
  static absl::StatusOr<std::unique_ptr<ReferenceStore>> Open(
      const std::string& path);

  // The current snapshot; never null.
  std::shared_ptr<const ReferenceData> Get() const;

  // Reads the file again; on failure the old snapshot stays in use.
  absl::Status Reload();

 private:
  std::string path_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const ReferenceData> data_ ABSL_GUARDED_BY(mu_) =
      std::make_shared<const ReferenceData>();
};

}  // namespace vouchstream::core
