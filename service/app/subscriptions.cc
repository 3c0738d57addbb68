#include "service/app/subscriptions.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "common/proto_time.h"
#include "service/app/admission.h"
#include "service/auth/scope_check.h"
#include "service/core/event_filter.h"

namespace vouchstream::app {
namespace {

core::StartPosition StartOf(const v1::SubscribeRequest& request) {
  switch (request.start_case()) {
    case v1::SubscribeRequest::kFrom:
      return request.from() == v1::BOUNDARY_LATEST
                 ? core::StartPosition::Latest()
                 : core::StartPosition::Earliest();
    case v1::SubscribeRequest::kAfterSeq:
      return core::StartPosition::After(request.after_seq());
    case v1::SubscribeRequest::kAtTime:
      return core::StartPosition::At(common::ToAbslTime(request.at_time()));
    case v1::SubscribeRequest::START_NOT_SET:
      break;
  }
  return core::StartPosition::Earliest();
}

}  // namespace

absl::StatusOr<core::Broker::SubscribeOptions> Subscriptions::Plan(
    const auth::Principal& principal,
    const v1::SubscribeRequest& request) const {
  absl::StatusOr<v1::EventFilter> scoped =
      auth::ScopeFilter(principal, request.filter());
  if (!scoped.ok()) {
    Admission::LogRefusal("Subscribe", principal.name, "", scoped.status());
    return scoped.status();
  }
  core::Broker::SubscribeOptions options;
  options.start = StartOf(request);
  if (!request.consumer().empty() &&
      request.start_case() == v1::SubscribeRequest::START_NOT_SET) {
    absl::StatusOr<std::optional<uint64_t>> resume =
        cursors_->Resume(principal, request.consumer());
    if (!resume.ok()) {
      return resume.status();
    }
    if (resume->has_value()) {
      options.start = core::StartPosition::After(**resume);
    }
  }
  absl::StatusOr<core::EventFilter> filter = core::EventFilter::Create(*scoped);
  if (!filter.ok()) {
    return filter.status();
  }
  options.filter = *std::move(filter);
  options.heartbeat = request.heartbeat_seconds() > 0
                          ? absl::Seconds(request.heartbeat_seconds())
                          : default_heartbeat_;
  return options;
}

const v1::Event& Subscriptions::View(const auth::Principal& principal,
                                     const v1::Event& shared, v1::Event* copy) {
  if (principal.redactor.empty()) {
    return shared;
  }
  *copy = shared;
  principal.redactor.Apply(copy);
  return *copy;
}

}  // namespace vouchstream::app
