#include "service/auth/scope_check.h"

#include <algorithm>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "service/auth/auth_errors.h"
#include "service/auth/filter_check.h"
#include "service/core/event_filter.h"

namespace vouchstream::auth {

absl::Status RequirePublish(const Principal& principal) {
  if (!principal.publish) {
    return ScopeMissingError(principal.name, "publish",
                             "publishing events needs it");
  }
  return absl::OkStatus();
}

absl::Status RequireAdmin(const Principal& principal) {
  if (!principal.admin) {
    return ScopeMissingError(principal.name, "admin",
                             "the quarantine needs it");
  }
  return absl::OkStatus();
}

absl::Status RequireSubscribe(const Principal& principal) {
  if (!principal.subscribe.has_value()) {
    return ScopeMissingError(principal.name, "subscribe",
                             "reading events needs it");
  }
  return absl::OkStatus();
}

bool PatternCovered(absl::string_view allowed, absl::string_view wanted) {
  if (allowed == wanted) {
    return true;
  }
  if (!absl::StrContains(wanted, '*')) {
    return core::EventFilter::TypeMatches(allowed, wanted);
  }
  // An allowed pattern "prefix*" (one star, at the end) covers any pattern
  // that starts with the same literal prefix.
  const size_t star = allowed.find('*');
  return star + 1 == allowed.size() &&
         absl::StartsWith(wanted, allowed.substr(0, star));
}

absl::StatusOr<v1::EventFilter> ScopeFilter(const Principal& principal,
                                            const v1::EventFilter& requested) {
  absl::Status allowed = RequireSubscribe(principal);
  if (!allowed.ok()) {
    return allowed;
  }
  // The caller's own criteria; those the scope adds below read nothing the
  // caller chose.
  absl::Status readable = CheckFilterReadable(principal, requested);
  if (!readable.ok()) {
    return readable;
  }
  const Principal::SubscribeScope& scope = *principal.subscribe;
  v1::EventFilter filter = requested;
  if (!scope.event_types.empty()) {
    if (filter.types().empty()) {
      filter.mutable_types()->Assign(scope.event_types.begin(),
                                     scope.event_types.end());
    }
    for (const std::string& type : filter.types()) {
      const bool covered = std::any_of(
          scope.event_types.begin(), scope.event_types.end(),
          [&](const std::string& mine) { return PatternCovered(mine, type); });
      if (!covered) {
        return ScopeMissingError(principal.name, "subscribe.event_types",
                                 absl::StrCat("filter.types: \"", type,
                                              "\" is outside its event types"));
      }
    }
  }
  if (!scope.campaign_ids.empty()) {
    if (filter.campaign_ids().empty()) {
      filter.mutable_campaign_ids()->Assign(scope.campaign_ids.begin(),
                                            scope.campaign_ids.end());
    }
    for (const std::string& campaign : filter.campaign_ids()) {
      if (std::find(scope.campaign_ids.begin(), scope.campaign_ids.end(),
                    campaign) == scope.campaign_ids.end()) {
        return ScopeMissingError(
            principal.name, "subscribe.campaign_ids",
            absl::StrCat("filter.campaign_ids: \"", campaign,
                         "\" is outside its campaigns"));
      }
    }
  }
  return filter;
}

bool InScope(const Principal& principal, const v1::Event& event) {
  if (!principal.subscribe.has_value()) {
    return false;
  }
  const Principal::SubscribeScope& scope = *principal.subscribe;
  if (!scope.event_types.empty() &&
      std::none_of(scope.event_types.begin(), scope.event_types.end(),
                   [&](const std::string& pattern) {
                     return core::EventFilter::TypeMatches(pattern,
                                                           event.type());
                   })) {
    return false;
  }
  return scope.campaign_ids.empty() ||
         std::find(scope.campaign_ids.begin(), scope.campaign_ids.end(),
                   event.enrichment().campaign_id()) !=
             scope.campaign_ids.end();
}

}  // namespace vouchstream::auth
