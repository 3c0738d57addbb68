#pragma once
// A fixed pool of threads for the work a gRPC reaction must not do itself
// (STYLE.md, "Concurrency"): reads from the log, quarantine writes, anything
// that may wait on the disk. Tasks run in the order posted, on any of the
// pool's threads.
//
//   WorkerPool pool(4);
//   pool.Post([reactor, log] { ...; reactor->Finish(...); });
//   pool.Shutdown();  // runs what is queued, then joins
//
// Thread-safe: Post may be called from any thread, also from a task.

#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace vouchstream::app {

class WorkerPool {
 public:
  using Task = absl::AnyInvocable<void()>;

  // Starts `threads` threads (at least one).
  explicit WorkerPool(int threads);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  // Calls Shutdown().
  ~WorkerPool();

  // Queues `task`. After Shutdown the task runs inline on the caller's
  // thread, so that every posted task runs exactly once (callers rely on it
  // to finish their RPCs).
  void Post(Task task);

  // Runs the tasks already queued, then joins the threads. Idempotent.
  void Shutdown();

 private:
  void Loop();

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Task> tasks_ ABSL_GUARDED_BY(mu_);
  absl::CondVar cv_;

  absl::Mutex threads_mu_;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(threads_mu_);
};

}  // namespace vouchstream::app
