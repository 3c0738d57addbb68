#include "service/core/event_filter.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"

#include "service/core/typed_payload.h"

namespace vouchstream::core {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

bool Contains(const std::vector<std::string>& haystack,
              absl::string_view needle) {
  return std::find(haystack.begin(), haystack.end(), needle) != haystack.end();
}

// The "string form of the JSON value" that api.proto promises: strings as
// they are, integral numbers without a fraction, booleans and null as JSON
// spells them. Objects and lists have no string form and match nothing.
bool StringForm(const Value& value, std::string* out) {
  switch (value.kind_case()) {
    case Value::kStringValue:
      *out = value.string_value();
      return true;
    case Value::kNumberValue: {
      const double number = value.number_value();
      // 2^53: the largest range in which every integer is exact.
      if (std::trunc(number) == number &&
          std::fabs(number) < 9007199254740992.0) {
        *out = absl::StrCat(static_cast<int64_t>(number));
      } else {
        *out = absl::StrCat(number);
      }
      return true;
    }
    case Value::kBoolValue:
      *out = value.bool_value() ? "true" : "false";
      return true;
    case Value::kNullValue:
      *out = "null";
      return true;
    default:
      return false;
  }
}

bool StructHas(const Struct& metadata, const std::string& key,
               const std::string& want) {
  auto it = metadata.fields().find(key);
  if (it == metadata.fields().end()) {
    return false;
  }
  std::string got;
  return StringForm(it->second, &got) && got == want;
}

// `data.<object>.metadata` of an untyped body, or null.
const Struct* UntypedMetadata(const Struct& data, const std::string& object) {
  auto it = data.fields().find(object);
  if (it == data.fields().end() || !it->second.has_struct_value()) {
    return nullptr;
  }
  const Struct& inner = it->second.struct_value();
  auto meta = inner.fields().find("metadata");
  if (meta == inner.fields().end() || !meta->second.has_struct_value()) {
    return nullptr;
  }
  return &meta->second.struct_value();
}

}  // namespace

absl::StatusOr<EventFilter> EventFilter::Create(const v1::EventFilter& filter,
                                                const Options& options) {
  EventFilter result;
  result.types_.assign(filter.types().begin(), filter.types().end());
  result.campaign_ids_.assign(filter.campaign_ids().begin(),
                              filter.campaign_ids().end());
  result.customer_ids_.assign(filter.customer_ids().begin(),
                              filter.customer_ids().end());
  for (const auto& [key, value] : filter.metadata()) {
    result.metadata_.emplace_back(key, value);
  }
  // Map order is unspecified; sorting keeps matching deterministic.
  std::sort(result.metadata_.begin(), result.metadata_.end());
  if (!filter.code_pattern().empty()) {
    if (filter.code_pattern().size() > options.max_pattern_length) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.code_pattern: longer than ",
                       options.max_pattern_length, " bytes"));
    }
    RE2::Options re2_options(RE2::Quiet);
    re2_options.set_max_mem(options.max_pattern_mem);
    auto re2 = std::make_shared<const RE2>(filter.code_pattern(), re2_options);
    if (!re2->ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter.code_pattern: \"", filter.code_pattern(),
                       "\" is not a valid RE2 pattern: ", re2->error()));
    }
    result.code_pattern_ = std::move(re2);
  }
  return result;
}

bool EventFilter::MatchesAll() const {
  return types_.empty() && campaign_ids_.empty() && customer_ids_.empty() &&
         metadata_.empty() && code_pattern_ == nullptr;
}

bool EventFilter::Matches(const v1::Event& event) const {
  if (!types_.empty() && std::none_of(types_.begin(), types_.end(),
                                      [&](const std::string& pattern) {
                                        return TypeMatches(pattern,
                                                           event.type());
                                      })) {
    return false;
  }
  const v1::Enrichment& enrichment = event.enrichment();
  if (!campaign_ids_.empty() &&
      !Contains(campaign_ids_, enrichment.campaign_id())) {
    return false;
  }
  if (!customer_ids_.empty() &&
      !Contains(customer_ids_, enrichment.customer_id())) {
    return false;
  }
  if (!metadata_.empty() && !MetadataMatches(event)) {
    return false;
  }
  if (code_pattern_ != nullptr &&
      std::none_of(enrichment.vouchers().begin(), enrichment.vouchers().end(),
                   [&](const v1::VoucherFacts& voucher) {
                     return !voucher.code().empty() &&
                            RE2::FullMatch(voucher.code(), *code_pattern_);
                   })) {
    return false;
  }
  return true;
}

bool EventFilter::MetadataMatches(const v1::Event& event) const {
  const Struct* customer = nullptr;
  const Struct* publication = nullptr;
  if (event.has_publication_succeeded()) {
    const auto& body = event.publication_succeeded();
    if (body.has_customer() && body.customer().has_metadata()) {
      customer = &body.customer().metadata();
    }
    if (body.has_publication() && body.publication().has_metadata()) {
      publication = &body.publication().metadata();
    }
  } else if (event.has_data()) {
    customer = UntypedMetadata(event.data(), "customer");
    publication = UntypedMetadata(event.data(), "publication");
  } else if (const google::protobuf::Message* typed = TypedPayload(event)) {
    // Every other typed body: the same two objects, found by name.
    customer = TypedMetadata(*typed, "customer");
    publication = TypedMetadata(*typed, "publication");
  }
  // Every entry must be present, in either object.
  return std::all_of(
      metadata_.begin(), metadata_.end(), [&](const auto& entry) {
        const auto& [key, want] = entry;
        return (customer != nullptr && StructHas(*customer, key, want)) ||
               (publication != nullptr && StructHas(*publication, key, want));
      });
}

bool EventFilter::TypeMatches(absl::string_view pattern,
                              absl::string_view type) {
  // Iterative glob with one backtrack point: linear in practice, and no
  // recursion on hostile patterns like "*a*a*a*a*b".
  size_t p = 0;
  size_t t = 0;
  size_t star = absl::string_view::npos;
  size_t star_t = 0;
  while (t < type.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == type[t]) {
      ++p;
      ++t;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

}  // namespace vouchstream::core
