#include "service/core/event_log.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "service/core/event_filter.h"

namespace vouchstream::core {

absl::StatusOr<EventLog::ReadResult> EventLog::ReadMatching(
    const ReadRequest& request) {
  absl::StatusOr<std::vector<v1::Event>> page =
      ReadAfter(request.after_seq, request.limit);
  if (!page.ok()) {
    return page.status();
  }
  ReadResult result;
  result.scanned_through =
      page->empty() ? request.after_seq : page->back().seq();
  for (v1::Event& event : *page) {
    if (request.types.empty() ||
        std::any_of(request.types.begin(), request.types.end(),
                    [&](const std::string& pattern) {
                      return EventFilter::TypeMatches(pattern, event.type());
                    })) {
      result.events.push_back(std::move(event));
    }
  }
  return result;
}

}  // namespace vouchstream::core
