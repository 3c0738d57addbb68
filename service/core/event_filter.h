#pragma once
// Decides whether an event matches a reader's `vouchstream.v1.EventFilter`
// (see api.proto for the criteria). Subscribe and ListEvents share it.
//
//   absl::StatusOr<EventFilter> filter = EventFilter::Create(request.filter());
//   if (!filter.ok()) { return filter.status(); }  // bad code pattern
//   if (filter->Matches(event)) { ... }
//
// Matching reads only what the event carries: `type`, the enrichment's
// campaign and customer ids and voucher codes, and the customer's and
// publication's `metadata` (typed payload or untyped `data`).
//
// Thread-safe: an EventFilter is immutable after Create.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "re2/re2.h"

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/event.pb.h"

namespace vouchstream::core {

class EventFilter {
 public:
  struct Options {
    // Memory RE2 may use for the compiled code pattern; a pattern that needs
    // more fails Create with kInvalidArgument.
    int64_t max_pattern_mem = int64_t{1} << 20;
    // Longest code pattern accepted, in bytes.
    size_t max_pattern_length = 1024;
  };

  // Matches every event.
  EventFilter() = default;

  // kInvalidArgument when `filter.code_pattern` is not a valid RE2 pattern
  // (or too large); the message names the field.
  static absl::StatusOr<EventFilter> Create(const v1::EventFilter& filter) {
    return Create(filter, Options());
  }
  static absl::StatusOr<EventFilter> Create(const v1::EventFilter& filter,
                                            const Options& options);

  // True when every non-empty criterion matches.
  bool Matches(const v1::Event& event) const;

  // True when there are no criteria.
  bool MatchesAll() const;

  // The type patterns (empty: any type), for readers that can narrow a log
  // read by type before applying the whole filter.
  const std::vector<std::string>& types() const { return types_; }

  // True when `type` matches `pattern`, where `*` stands for any run of
  // characters (possibly empty) and everything else is literal.
  static bool TypeMatches(absl::string_view pattern, absl::string_view type);

 private:
  bool MetadataMatches(const v1::Event& event) const;

  std::vector<std::string> types_;
  std::vector<std::string> campaign_ids_;
  std::vector<std::string> customer_ids_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  // Shared so that EventFilter stays copyable; RE2 is thread-safe.
  std::shared_ptr<const RE2> code_pattern_;
};

}  // namespace vouchstream::core
