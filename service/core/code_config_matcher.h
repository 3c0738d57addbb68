#pragma once
// Tells whether a voucher code could have been generated from its campaign's
// `code_config`: code = `prefix` + `pattern` with each `#` replaced by one
// character of `charset` + `postfix`. A config without a pattern but with a
// `length` stands for `length` times `#`. Imported codes usually do not
// match; that is a fact to flag, never an error.
//
//   absl::StatusOr<CodeConfigMatcher> m = CodeConfigMatcher::Compile(config);
//   if (m.ok() && m->Matches("ZERO-8")) { ... }
//
// The matcher is an RE2 built with every literal escaped, so `prefix`,
// `postfix`, `charset` and the non-`#` characters of `pattern` may hold any
// regex metacharacter. Strings are treated as UTF-8.
//
// Thread-safe: a CodeConfigMatcher is immutable; CodeConfigMatcherCache may be
// used from many threads at once.

#include <cstddef>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "re2/re2.h"

#include "voucherify/v1/campaign.pb.h"

namespace vouchstream::core {

class CodeConfigMatcher {
 public:
  // kInvalidArgument when `config` describes no code at all (neither
  // prefix, postfix, pattern nor length) or the expression would exceed
  // RE2's memory bound (an absurdly long pattern).
  static absl::StatusOr<CodeConfigMatcher> Compile(
      const voucherify::v1::CodeConfig& config);

  // Whether all of `code` is one the config could generate.
  bool Matches(absl::string_view code) const;

  // The RE2 expression, for diagnostics and tests.
  const std::string& pattern() const { return re_->pattern(); }

 private:
  explicit CodeConfigMatcher(std::shared_ptr<const RE2> re)
      : re_(std::move(re)) {}

  std::shared_ptr<const RE2> re_;
};

// A bounded map from code_config to its compiled matcher, so that events of
// the same campaign do not compile the same RE2 again.
class CodeConfigMatcherCache {
 public:
  struct Options {
    // At most this many matchers are kept; when full, the cache starts over
    // (empty), which bounds memory without bookkeeping per lookup. Campaign
    // counts above this only cost recompilation.
    size_t max_entries = 4096;
  };

  CodeConfigMatcherCache() : CodeConfigMatcherCache(Options()) {}
  explicit CodeConfigMatcherCache(const Options& options) : options_(options) {}

  // The matcher for `config`, compiled on first use. Errors as
  // CodeConfigMatcher::Compile (not cached: they are rare and cheap).
  absl::StatusOr<CodeConfigMatcher> Get(
      const voucherify::v1::CodeConfig& config);

  // The number of cached matchers.
  size_t size() const;

 private:
  const Options options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, CodeConfigMatcher> matchers_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace vouchstream::core
