#pragma once
// A bounded webhook load for fault tests: `connections` keep-alive HTTP/1.1
// connections to the gateway (one thread, Boost.Asio), each sending signed
// webhooks in a closed loop (the next request once the last is answered).
// Every request carries a body of its own, `body` with `placeholder`
// replaced by a unique id (e.g. the seed's publication id), signed with
// `secret` as Voucherify signs. The load records what became of every
// request, so a test can check afterwards that each one answered 2xx is
// in the log.
//
//   WebhookLoad::Options options;
//   options.port = gateway->port();
//   options.body = seed;
//   options.placeholder = "pub_r0413bLwExpB6LE0v286eNVmEpx6NxmP";
//   options.secret = "s3cret";
//   WebhookLoad load(options);
//   load.WaitUntil([](const WebhookLoad::Counts& c) { return c.ok >= 100; },
//                  absl::Seconds(30));
//   ... break something ...
//   load.Stop();
//   for (const WebhookLoad::Request& r : load.requests()) { ... }
//
// Thread-safe: `counts` and `WaitUntil` may be called while it runs.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace vouchstream::testing {

class WebhookLoad {
 public:
  // Defaults:
  //   path              /webhooks/voucherify/publication.succeeded
  //   id_prefix         "pub_load_"
  //   ids               none (ids are id_prefix + a counter)
  //   connections       8
  //   max_requests      0 (until Stop)
  //   pause             0 (between an answer and the connection's next send)
  //   request_timeout   10 s (then the request counts as failed)
  struct Options {
    int port = 0;
    std::string path = "/webhooks/voucherify/publication.succeeded";
    std::string body;
    std::string placeholder;
    std::string id_prefix = "pub_load_";
    // When not empty: sends exactly these ids, once each (e.g. to retry
    // what was refused, as Voucherify would), then stops sending.
    std::vector<std::string> ids;
    std::string secret;
    int connections = 8;
    uint64_t max_requests = 0;
    absl::Duration pause = absl::ZeroDuration();
    absl::Duration request_timeout = absl::Seconds(10);
  };

  // One request and its answer.
  struct Request {
    std::string id;
    // 0: no answer (connection refused or broken, or timed out).
    int http_status = 0;
    // The Retry-After header, empty when absent.
    std::string retry_after;
    // From a 2xx body {"seq":N,"duplicate":B}; 0 and false otherwise.
    uint64_t seq = 0;
    bool duplicate = false;
    // The body of any other answer (the JSON error).
    std::string error_body;
  };

  struct Counts {
    uint64_t sent = 0;
    uint64_t ok = 0;           // 2xx
    uint64_t unavailable = 0;  // 503
    uint64_t other = 0;        // any other HTTP status
    uint64_t failed = 0;       // no answer
    uint64_t answered() const { return ok + unavailable + other + failed; }
  };

  // Starts sending at once.
  explicit WebhookLoad(Options options);
  WebhookLoad(const WebhookLoad&) = delete;
  WebhookLoad& operator=(const WebhookLoad&) = delete;
  // Calls Stop().
  ~WebhookLoad();

  // Sends no new request, waits for those in flight (at most
  // `request_timeout`) and joins the thread. Idempotent.
  void Stop();

  Counts counts() const;
  // True once `done(counts())` holds; false if `timeout` passed first.
  bool WaitUntil(const std::function<bool(const Counts&)>& done,
                 absl::Duration timeout) const;
  // Every request sent, in the order sent. Complete after Stop().
  std::vector<Request> requests() const;

 private:
  class Connection;
  friend class Connection;

  // Reserves the next request; false when the load is stopping or at
  // `max_requests`. Called on the load's thread.
  bool NextRequest(size_t* index, std::string* id);
  bool Stopping() const;
  void Record(size_t index, Request answer);

  const Options options_;
  // `body` split around `placeholder`.
  std::string body_head_;
  std::string body_tail_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  Counts counts_ ABSL_GUARDED_BY(mu_);

  absl::Mutex thread_mu_;
  std::thread thread_ ABSL_GUARDED_BY(thread_mu_);
};

}  // namespace vouchstream::testing
