#pragma once
// Runs a client binary that prints one JSON line per event, starting with
// its seq (`{"seq": 7, "id": ...}`, as vouchstream-example-consumer does),
// and reads those seqs from its stdout with a deadline.
//
//   ConsumerProcess consumer({VS_CONSUMER_PATH, "--server=" + address,
//                             "--cursor=" + cursor});
//   std::vector<uint64_t> seqs = consumer.ReadSeqs(12, absl::Seconds(30));
//   EXPECT_EQ(consumer.Stop(SIGTERM), 0);
//
// Thread-compatible.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include <sys/types.h>

namespace vouchstream::testing {

class ConsumerProcess {
 public:
  // Starts `argv` (argv[0] is the binary's path) with its stdout on a pipe.
  explicit ConsumerProcess(const std::vector<std::string>& argv);
  ConsumerProcess(const ConsumerProcess&) = delete;
  ConsumerProcess& operator=(const ConsumerProcess&) = delete;
  // SIGKILL if still running.
  ~ConsumerProcess();

  // The seqs of the next `count` lines, fewer if `timeout` passes or the
  // output ends first. A line without a seq reads as seq 0.
  std::vector<uint64_t> ReadSeqs(size_t count, absl::Duration timeout);
  // The seqs of every complete line until the output ends (the process has
  // exited or was killed), or `timeout` passes.
  std::vector<uint64_t> ReadAllSeqs(absl::Duration timeout);

  // Sends `signal` and returns the exit code, -1 if it did not exit by
  // itself within `timeout` (then it is killed) or died of a signal.
  int Stop(int signal, absl::Duration timeout = absl::Seconds(30));

  pid_t pid() const { return pid_; }
  // What it printed that was not read as a line yet.
  const std::string& unread() const { return buffer_; }

 private:
  // Moves the next complete line into `seqs`; false when none is buffered.
  bool TakeLine(std::vector<uint64_t>* seqs);
  // Reads what is available into `buffer_`, waiting at most until
  // `deadline`; false at the end of the output.
  bool Fill(absl::Time deadline);

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace vouchstream::testing
