#include "service/core/event_filter.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"

#include "vouchstream/v1/options.pb.h"

#include "service/core/body_path.h"

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

// The metadata objects a `metadata` criterion looks in: the body paths
// that `EventFilter.metadata`'s `filter_reads` declares
// ("payload.customer.metadata.{key}" -> "customer.metadata").
std::vector<std::string> MetadataObjectPaths() {
  constexpr absl::string_view kBody = "payload.";
  constexpr absl::string_view kKey = ".{key}";
  const auto& reads = v1::EventFilter::descriptor()
                          ->FindFieldByName("metadata")
                          ->options()
                          .GetRepeatedExtension(v1::filter_reads);
  std::vector<std::string> out;
  for (absl::string_view read : reads) {
    if (absl::ConsumePrefix(&read, kBody) && absl::ConsumeSuffix(&read, kKey)) {
      out.emplace_back(read);
    }
  }
  return out;
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
  static const std::vector<std::string>* const kPaths =
      new std::vector<std::string>(MetadataObjectPaths());
  std::vector<const Struct*> objects;
  if (const google::protobuf::Message* body = EventBody(event)) {
    for (const std::string& path : *kPaths) {
      for (const google::protobuf::Message* object : ObjectsAt(*body, path)) {
        if (const auto* metadata = AsGenerated<Struct>(object)) {
          objects.push_back(metadata);
        }
      }
    }
  }
  // Every entry must be present, in one of the objects.
  return std::all_of(
      metadata_.begin(), metadata_.end(), [&](const auto& entry) {
        return std::any_of(
            objects.begin(), objects.end(), [&entry](const Struct* metadata) {
              return StructHas(*metadata, entry.first, entry.second);
            });
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
