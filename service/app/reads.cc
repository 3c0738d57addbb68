#include "service/app/reads.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

#include "service/app/admission.h"
#include "service/app/page_token.h"
#include "service/auth/scope_check.h"
#include "service/core/event_filter.h"

namespace vouchstream::app {
namespace {

// Fills `response` with up to `page_size` events after `cursor` that `filter`
// matches, reading at most `max_scan` events, and sets the next page token
// unless the log ended. Errors are the log's.
absl::Status FillEventsPage(core::EventLog* log,
                            const core::EventFilter& filter, uint64_t cursor,
                            size_t page_size, size_t max_scan,
                            v1::ListEventsResponse* response) {
  size_t scanned = 0;
  bool at_end = false;
  // Scan in pages until the page is full, the log ends, or the scan
  // budget is spent (then the token continues where the scan stopped).
  while (static_cast<size_t>(response->events_size()) < page_size &&
         scanned < max_scan) {
    const size_t want = std::min<size_t>(256, max_scan - scanned);
    absl::StatusOr<std::vector<v1::Event>> page = log->ReadAfter(cursor, want);
    if (!page.ok()) {
      return page.status();
    }
    for (v1::Event& event : *page) {
      ++scanned;
      cursor = event.seq();
      if (filter.Matches(event)) {
        *response->add_events() = std::move(event);
        if (static_cast<size_t>(response->events_size()) == page_size) {
          break;
        }
      }
    }
    if (page->size() < want &&
        static_cast<size_t>(response->events_size()) < page_size) {
      at_end = true;
      break;
    }
  }
  if (!at_end) {
    response->set_next_page_token(MakePageToken(cursor));
  }
  return absl::OkStatus();
}

// The answer to a GetEvent outside the caller's scope: the same as for an
// event that does not exist.
absl::Status NotFoundFor(const v1::GetEventRequest& request) {
  return request.key_case() == v1::GetEventRequest::kSeq
             ? absl::NotFoundError(
                   absl::StrCat("event seq ", request.seq(), " not found"))
             : absl::NotFoundError(
                   absl::StrCat("event id \"", request.id(), "\" not found"));
}

}  // namespace

size_t Reads::PageSize(int requested) const {
  if (requested <= 0) {
    return static_cast<size_t>(options_.default_page_size);
  }
  return static_cast<size_t>(std::min(requested, options_.max_page_size));
}

absl::StatusOr<v1::Event> Reads::GetEvent(
    const auth::Principal& principal,
    const v1::GetEventRequest& request) const {
  if (request.key_case() == v1::GetEventRequest::KEY_NOT_SET) {
    return absl::InvalidArgumentError("key: one of seq or id is required");
  }
  absl::StatusOr<v1::Event> event =
      request.key_case() == v1::GetEventRequest::kSeq
          ? log_->GetBySeq(request.seq())
          : log_->GetById(request.type(), request.id());
  if (!event.ok()) {
    return event.status();
  }
  if (!auth::InScope(principal, *event)) {
    return NotFoundFor(request);
  }
  principal.redactor.Apply(&*event);
  return event;
}

absl::Status Reads::ListEvents(const auth::Principal& principal,
                               const v1::ListEventsRequest& request,
                               v1::ListEventsResponse* response) const {
  absl::StatusOr<v1::EventFilter> scoped =
      auth::ScopeFilter(principal, request.filter());
  if (!scoped.ok()) {
    Admission::LogRefusal("ListEvents", principal.name, "", scoped.status());
    return scoped.status();
  }
  absl::StatusOr<core::EventFilter> filter = core::EventFilter::Create(*scoped);
  if (!filter.ok()) {
    return filter.status();
  }
  absl::StatusOr<uint64_t> token =
      ParsePageToken("page_token", request.page_token());
  if (!token.ok()) {
    return token.status();
  }
  absl::Status status = FillEventsPage(
      log_, *filter, std::max(*token, request.after_seq()),
      PageSize(request.page_size()), options_.max_scan, response);
  for (v1::Event& event : *response->mutable_events()) {
    principal.redactor.Apply(&event);
  }
  return status;
}

absl::Status Reads::ListQuarantined(
    const auth::Principal& principal, const v1::ListQuarantinedRequest& request,
    v1::ListQuarantinedResponse* response) const {
  absl::StatusOr<uint64_t> after_id =
      ParsePageToken("page_token", request.page_token());
  if (!after_id.ok()) {
    return after_id.status();
  }
  const size_t page_size = PageSize(request.page_size());
  // One more than asked tells whether there is a next page.
  absl::StatusOr<std::vector<v1::QuarantinedEvent>> entries =
      log_->ListQuarantined(*after_id, page_size + 1);
  if (!entries.ok()) {
    return entries.status();
  }
  const bool more = entries->size() > page_size;
  if (more) {
    entries->resize(page_size);
  }
  // Read before the entries are moved out: a moved-from message is empty.
  if (more && !entries->empty()) {
    response->set_next_page_token(
        MakePageToken(entries->back().quarantine_id()));
  }
  for (v1::QuarantinedEvent& entry : *entries) {
    principal.redactor.Apply(entry.mutable_event());
    *response->add_events() = std::move(entry);
  }
  return absl::OkStatus();
}

}  // namespace vouchstream::app
