#include "service/app/worker_pool.h"

#include <algorithm>
#include <utility>

namespace vouchstream::app {

WorkerPool::WorkerPool(int threads) {
  absl::MutexLock lock(&threads_mu_);
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this] { Loop(); });
  }
}

WorkerPool::~WorkerPool() { Shutdown(); }

void WorkerPool::Post(Task task) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      tasks_.push_back(std::move(task));
      cv_.Signal();
      return;
    }
  }
  task();
}

void WorkerPool::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
  }
  absl::MutexLock lock(&threads_mu_);
  for (std::thread& thread : threads_) {
    thread.join();
  }
  threads_.clear();
}

void WorkerPool::Loop() {
  while (true) {
    Task task;
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_ && tasks_.empty()) {
        cv_.Wait(&mu_);
      }
      if (tasks_.empty()) {
        return;  // Stopping, and everything queued has run.
      }
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace vouchstream::app
