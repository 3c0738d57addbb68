#pragma once
// A std::thread that is stopped and joined when it goes out of scope, so
// that a test that returns early (a failed ASSERT) ends with a report
// instead of std::terminate on a joinable thread.
//
//   ScopedThread reader([&] { status = subscriber.Finish(); },
//                       [&] { subscriber.Cancel(); });
//   ...
//   reader.Join();
//
// Thread-compatible.

#include <functional>
#include <thread>
#include <utility>

namespace vouchstream::testing {

class ScopedThread {
 public:
  // Runs `body` on a new thread; `stop` (optional) makes it return soon.
  explicit ScopedThread(std::function<void()> body,
                        std::function<void()> stop = nullptr)
      : stop_(std::move(stop)), thread_(std::move(body)) {}
  ScopedThread(const ScopedThread&) = delete;
  ScopedThread& operator=(const ScopedThread&) = delete;
  // Calls `stop` unless joined already, then joins.
  ~ScopedThread() {
    if (thread_.joinable()) {
      if (stop_) {
        stop_();
      }
      thread_.join();
    }
  }

  // Waits for `body` to return. Idempotent.
  void Join() {
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  std::function<void()> stop_;
  std::thread thread_;
};

}  // namespace vouchstream::testing
