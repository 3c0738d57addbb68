#include "service/rpc/publish_streams.h"

#include <utility>
#include <vector>

namespace vouchstream::rpc {

bool PublishStreams::Register(Stream* stream) {
  absl::MutexLock lock(&mu_);
  if (draining_) {
    return false;
  }
  streams_.insert(stream);
  return true;
}

void PublishStreams::Unregister(Stream* stream) {
  absl::MutexLock lock(&mu_);
  streams_.erase(stream);
}

void PublishStreams::Drain() {
  std::vector<absl::AnyInvocable<void() &&>> starts;
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
    for (Stream* stream : streams_) {
      if (absl::AnyInvocable<void()&&> start = stream->BeginDrain()) {
        starts.push_back(std::move(start));
      }
    }
  }
  // Outside the lock: a start may finish a stream, whose OnDone unregisters.
  for (auto& start : starts) {
    std::move(start)();
  }
}

}  // namespace vouchstream::rpc
