// The C++ client library (clients/cpp/lib) against the real server on
// 127.0.0.1 port 0: filtered delivery in order, resume from a FileCursor
// without gap or duplicate, surviving a server restart on the same port and
// store, the example consumer's stop and restart, and a redemption that
// reaches both typed (the example's "order_amount").

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "transcode/transcoder.h"
#include <sys/wait.h>

#include "vouchstream/v1/api.grpc.pb.h"

#include "clients/cpp/lib/backoff.h"
#include "clients/cpp/lib/file_cursor.h"
#include "clients/cpp/lib/subscriber.h"
#include "common/channel_options.h"
#include "tests/testing/consumer_process.h"
#include "tests/testing/deployment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_certs.h"
#include "tests/testing/test_events.h"

namespace vouchstream::testing {
namespace {

using ::testing::ElementsAreArray;
using ::vouchstream::client::Backoff;
using ::vouchstream::client::ChannelFactory;
using ::vouchstream::client::ChannelOptions;
using ::vouchstream::client::FileCursor;
using ::vouchstream::client::Subscriber;

constexpr absl::Duration kWait = absl::Seconds(30);

// Publishes `count` events: every third one matches the test filter
// (redemption.* in camp_a); the others differ in type or campaign. Returns
// the seqs of the matching ones.
std::vector<uint64_t> PublishBatch(v1::EventService::Stub& stub,
                                   const std::string& prefix, int count) {
  std::vector<v1::Event> events;
  std::vector<bool> matches;
  for (int i = 0; i < count; ++i) {
    const std::string id = absl::StrCat("evred_", prefix, "_", i);
    switch (i % 3) {
      case 0:
        events.push_back(
            UntypedEvent(id, "redemption.succeeded", "camp_a", "cust_1"));
        break;
      case 1:
        events.push_back(
            UntypedEvent(id, "redemption.succeeded", "camp_b", "cust_1"));
        break;
      default:
        events.push_back(
            UntypedEvent(id, "voucher.published", "camp_a", "cust_2"));
    }
    matches.push_back(i % 3 == 0);
  }
  absl::StatusOr<std::vector<uint64_t>> seqs = PublishMany(stub, events);
  EXPECT_THAT(seqs, IsOk());
  std::vector<uint64_t> matching;
  if (seqs.ok()) {
    for (size_t i = 0; i < seqs->size(); ++i) {
      if (matches[i]) {
        matching.push_back((*seqs)[i]);
      }
    }
  }
  return matching;
}

Subscriber::Options TestOptions() {
  Subscriber::Options options;
  options.filter.add_types("redemption.*");
  options.filter.add_campaign_ids("camp_a");
  options.backoff.maximum = absl::Seconds(1);
  return options;
}

// What a subscriber's handler saw, waited on with deadlines.
class Collector {
 public:
  explicit Collector(const FileCursor* cursor = nullptr) : cursor_(cursor) {}

  Subscriber::EventHandler Handler() {
    return [this](const v1::Event& event) {
      absl::MutexLock lock(&mu_);
      seqs_.push_back(event.seq());
      events_.push_back(event);
      return cursor_ == nullptr ? absl::OkStatus() : cursor_->Save(event.seq());
    };
  }

  // True once at least `count` events arrived within `timeout`.
  bool WaitFor(size_t count, absl::Duration timeout = kWait) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return seqs_.size() >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }

  std::vector<uint64_t> seqs() {
    absl::MutexLock lock(&mu_);
    return seqs_;
  }

  std::vector<v1::Event> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }

 private:
  const FileCursor* cursor_;
  absl::Mutex mu_;
  std::vector<uint64_t> seqs_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::Event> events_ ABSL_GUARDED_BY(mu_);
};

std::vector<uint64_t> Concat(std::vector<uint64_t> a,
                             const std::vector<uint64_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The example consumer's command line.
std::vector<std::string> ConsumerArgs(const std::string& server,
                                      const std::string& cursor) {
  return {VS_CONSUMER_PATH, "--server=" + server, "--cursor=" + cursor,
          "--type=redemption.*", "--campaign=camp_a"};
}

// A fixture body: testdata/voucherify/events/`type`.json.
std::string FixtureBody(const std::string& type) {
  std::ifstream in(absl::StrCat(VS_TESTDATA_DIR, "/events/", type, ".json"));
  return {std::istreambuf_iterator<char>(in), {}};
}

// `json` (an object) as a Struct: plain JSON, apart from the typed path
// under test.
absl::StatusOr<google::protobuf::Struct> ParseJsonObject(
    const std::string& json) {
  google::protobuf::Struct out;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &out);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("json: ", status.ToString(), ": ", json));
  }
  return out;
}

// The example consumer's whole stdout lines. ConsumerProcess
// (tests/testing) hands out only the seqs, and this test reads more of the
// line. Killed by the destructor.
class ConsumerLines {
 public:
  explicit ConsumerLines(const std::vector<std::string>& argv) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
      std::abort();  // No pipe: nothing below can run.
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) !=
        0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    fd_ = out[0];
  }
  ConsumerLines(const ConsumerLines&) = delete;
  ConsumerLines& operator=(const ConsumerLines&) = delete;
  ~ConsumerLines() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(fd_);
  }

  // The next `count` lines, fewer if `timeout` passes or the output ends.
  std::vector<std::string> Read(size_t count, absl::Duration timeout) {
    std::vector<std::string> lines;
    const absl::Time deadline = absl::Now() + timeout;
    while (lines.size() < count) {
      const size_t newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        lines.push_back(buffer_.substr(0, newline));
        buffer_.erase(0, newline + 1);
        continue;
      }
      const absl::Duration left = deadline - absl::Now();
      if (left <= absl::ZeroDuration()) {
        break;
      }
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1,
               static_cast<int>(absl::ToInt64Milliseconds(left)) + 1) <= 0) {
        continue;
      }
      char chunk[4096];
      const ssize_t n = read(fd_, chunk, sizeof(chunk));
      if (n <= 0) {
        break;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    return lines;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
};

TEST(BackoffTest, DelaysStayUnderADoublingBoundCappedAtMaximum) {
  Backoff::Options options;
  options.initial = absl::Milliseconds(100);
  options.maximum = absl::Seconds(1);
  Backoff backoff(options, /*seed=*/7);
  const absl::Duration bounds[] = {
      absl::Milliseconds(100), absl::Milliseconds(200), absl::Milliseconds(400),
      absl::Milliseconds(800), absl::Seconds(1),        absl::Seconds(1)};
  for (const absl::Duration bound : bounds) {
    EXPECT_EQ(backoff.bound(), bound);
    const absl::Duration delay = backoff.NextDelay();
    EXPECT_GE(delay, absl::ZeroDuration());
    EXPECT_LE(delay, bound);
  }
  backoff.Reset();
  EXPECT_EQ(backoff.bound(), absl::Milliseconds(100));
}

TEST(FileCursorTest, LoadsNothingThenWhatWasSaved) {
  TempDir dir;
  const FileCursor cursor(dir.path() + "/last_seq");
  absl::StatusOr<std::optional<uint64_t>> empty = cursor.Load();
  ASSERT_THAT(empty, IsOk());
  EXPECT_FALSE(empty->has_value());
  ASSERT_THAT(cursor.Save(41), IsOk());
  ASSERT_THAT(cursor.Save(42), IsOk());
  absl::StatusOr<std::optional<uint64_t>> loaded = cursor.Load();
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ(*loaded, std::optional<uint64_t>(42));
}

TEST(FileCursorTest, GarbageIsDataLoss) {
  TempDir dir;
  const std::string path = dir.path() + "/last_seq";
  const int fd = open(path.c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "abc\n", 4), 4);
  close(fd);
  EXPECT_THAT(FileCursor(path).Load(),
              StatusIs(absl::StatusCode::kDataLoss, ::testing::_));
}

TEST(CppClientTest, DeliversMatchingEventsInOrderAndResumesFromCursor) {
  auto deployment = Deployment::Start(StoreKind::kSqlite);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  const TempDir& dir = d.dir();
  auto stub = d.NewStub();
  const FileCursor cursor(dir.path() + "/last_seq");

  const std::vector<uint64_t> first = PublishBatch(*stub, "a", 12);
  ASSERT_EQ(first.size(), 4u);
  {
    Collector collector(&cursor);
    Subscriber subscriber(d.server().channel(), TestOptions(),
                          collector.Handler());
    subscriber.Start();
    ASSERT_TRUE(collector.WaitFor(first.size()));
    ASSERT_TRUE(subscriber.WaitForCaughtUp(kWait));
    EXPECT_THAT(subscriber.Shutdown(), IsOk());
    EXPECT_THAT(collector.seqs(), ElementsAreArray(first));
    EXPECT_EQ(subscriber.last_seq(), first.back());
  }
  absl::StatusOr<std::optional<uint64_t>> saved = cursor.Load();
  ASSERT_THAT(saved, IsOk());
  ASSERT_EQ(*saved, std::optional<uint64_t>(first.back()));

  // Published while no one listens: the restarted subscriber catches up
  // from the cursor, then gets live events.
  const std::vector<uint64_t> missed = PublishBatch(*stub, "b", 9);
  Subscriber::Options options = TestOptions();
  options.start = Subscriber::StartAt::AfterSeq(**saved);
  Collector collector(&cursor);
  Subscriber subscriber(d.server().channel(), options, collector.Handler());
  subscriber.Start();
  ASSERT_TRUE(collector.WaitFor(missed.size()));
  ASSERT_TRUE(subscriber.WaitForCaughtUp(kWait));
  const std::vector<uint64_t> live = PublishBatch(*stub, "c", 6);
  ASSERT_TRUE(collector.WaitFor(missed.size() + live.size()));
  EXPECT_THAT(subscriber.Shutdown(), IsOk());
  EXPECT_THAT(collector.seqs(), ElementsAreArray(Concat(missed, live)));
  EXPECT_EQ(subscriber.reconnects(), 0);
  saved = cursor.Load();
  ASSERT_THAT(saved, IsOk());
  EXPECT_EQ(*saved, std::optional<uint64_t>(live.back()));
  EXPECT_THAT(d.StopServer(), IsOk());
}

TEST(CppClientTest, SurvivesServerRestartOnSamePortAndStore) {
  auto deployment = Deployment::Start(StoreKind::kSqlite);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  const std::string address = d.server_address();
  auto stub = d.NewStub();
  const std::vector<uint64_t> before = PublishBatch(*stub, "a", 9);

  // The subscriber's own channel outlives both server processes.
  Collector collector;
  Subscriber subscriber(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
      TestOptions(), collector.Handler());
  subscriber.Start();
  ASSERT_TRUE(collector.WaitFor(before.size()));
  ASSERT_THAT(d.StopServer(), IsOk());

  ASSERT_THAT(d.RestartServer(), IsOk());
  ASSERT_EQ(d.server().address(), address);
  stub = d.NewStub();
  const std::vector<uint64_t> after = PublishBatch(*stub, "b", 9);
  ASSERT_TRUE(collector.WaitFor(before.size() + after.size()));
  EXPECT_GE(subscriber.reconnects(), 1);
  EXPECT_THAT(subscriber.Shutdown(), IsOk());
  EXPECT_THAT(collector.seqs(), ElementsAreArray(Concat(before, after)));
  EXPECT_THAT(d.StopServer(), IsOk());
}

TEST(CppClientTest, BadFilterEndsSubscriptionWithInvalidArgument) {
  auto deployment = Deployment::Start(StoreKind::kSqlite);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  Subscriber::Options options;
  options.filter.set_code_pattern("(unclosed");
  Collector collector;
  Subscriber subscriber(d.server().channel(), options, collector.Handler());
  subscriber.Start();
  ASSERT_TRUE(subscriber.WaitForDone(kWait));
  EXPECT_THAT(subscriber.Shutdown(),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_EQ(subscriber.reconnects(), 0);
  EXPECT_THAT(d.StopServer(), IsOk());
}

TEST(CppClientTest, ExampleConsumerStopsOnSigtermAndResumesFromItsCursor) {
  auto deployment = Deployment::Start(StoreKind::kSqlite);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  const TempDir& dir = d.dir();
  auto stub = d.NewStub();
  const std::string cursor = dir.path() + "/consumer.seq";

  const std::vector<uint64_t> first = PublishBatch(*stub, "a", 12);
  {
    ConsumerProcess consumer(ConsumerArgs(d.server_address(), cursor));
    EXPECT_THAT(consumer.ReadSeqs(first.size(), kWait),
                ElementsAreArray(first));
    EXPECT_EQ(consumer.Stop(SIGTERM, kWait), 0);
    EXPECT_EQ(consumer.unread(), "");
  }
  const std::vector<uint64_t> missed = PublishBatch(*stub, "b", 9);
  ConsumerProcess consumer(ConsumerArgs(d.server_address(), cursor));
  EXPECT_THAT(consumer.ReadSeqs(missed.size(), kWait),
              ElementsAreArray(missed));
  const std::vector<uint64_t> live = PublishBatch(*stub, "c", 6);
  ASSERT_FALSE(live.empty());  // PublishBatch returns the matching seqs only
  EXPECT_THAT(consumer.ReadSeqs(live.size(), kWait), ElementsAreArray(live));
  EXPECT_EQ(consumer.Stop(SIGTERM, kWait), 0);
  EXPECT_EQ(consumer.unread(), "");
  absl::StatusOr<std::optional<uint64_t>> saved = FileCursor(cursor).Load();
  ASSERT_THAT(saved, IsOk());
  EXPECT_EQ(*saved, std::optional<uint64_t>(live.back()));
  EXPECT_THAT(d.StopServer(), IsOk());
}

// Issue 13: a redemption.succeeded built from its fixture reaches a
// `redemption.*` subscription typed, and the example consumer prints its
// typed order amount. The same body published as untyped `data` is the
// control: the library sees `data` and the example prints no amount, so a
// payload that arrived as a Struct fails the typed checks.
TEST(CppClientTest, RedemptionArrivesTypedAndExamplePrintsOrderAmount) {
  auto deployment = Deployment::Start(StoreKind::kSqlite);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  const TempDir& dir = d.dir();
  auto stub = d.NewStub();

  const std::string body = FixtureBody("redemption.succeeded");
  absl::StatusOr<google::protobuf::Struct> fixture = ParseJsonObject(body);
  ASSERT_THAT(fixture, IsOk());
  const google::protobuf::Value& amount =
      fixture->fields().at("order").struct_value().fields().at("amount");
  ASSERT_EQ(amount.kind_case(), google::protobuf::Value::kNumberValue);
  const auto want_amount = static_cast<int64_t>(amount.number_value());
  ASSERT_GT(want_amount, 0);

  transcode::Transcoder transcoder;
  absl::StatusOr<v1::Event> typed =
      transcoder.FromBody("redemption.succeeded", body);
  ASSERT_THAT(typed, IsOk());
  ASSERT_EQ(typed->payload_case(), v1::Event::kRedemptionSucceeded);
  v1::Event untyped;
  untyped.set_id("evred_untyped");
  untyped.set_type("redemption.succeeded");
  *untyped.mutable_data() = *fixture;
  absl::StatusOr<std::vector<uint64_t>> seqs =
      PublishMany(*stub, {*typed, untyped});
  ASSERT_THAT(seqs, IsOk());
  ASSERT_EQ(seqs->size(), 2u);

  Subscriber::Options options;
  options.filter.add_types("redemption.*");
  Collector collector;
  Subscriber subscriber(d.server().channel(), options, collector.Handler());
  subscriber.Start();
  ASSERT_TRUE(collector.WaitFor(2));
  EXPECT_THAT(subscriber.Shutdown(), IsOk());
  const std::vector<v1::Event> events = collector.events();
  ASSERT_EQ(events[0].payload_case(), v1::Event::kRedemptionSucceeded);
  EXPECT_TRUE(events[0].redemption_succeeded().order().has_amount());
  EXPECT_EQ(events[0].redemption_succeeded().order().amount(), want_amount);
  EXPECT_EQ(events[1].payload_case(), v1::Event::kData);

  std::vector<std::string> lines;
  {
    ConsumerLines consumer({VS_CONSUMER_PATH, "--server=" + d.server_address(),
                            "--cursor=" + dir.File("consumer.seq"),
                            "--type=redemption.*"});
    lines = consumer.Read(2, kWait);
  }  // Killed here: the server need not wait for its stream when stopping.
  ASSERT_EQ(lines.size(), 2u);
  absl::StatusOr<google::protobuf::Struct> line = ParseJsonObject(lines[0]);
  ASSERT_THAT(line, IsOk());
  EXPECT_EQ(line->fields().at("seq").number_value(), (*seqs)[0]);
  EXPECT_EQ(line->fields().at("type").string_value(), "redemption.succeeded");
  ASSERT_EQ(line->fields().count("order_amount"), 1u) << lines[0];
  EXPECT_EQ(line->fields().at("order_amount").number_value(), want_amount);
  line = ParseJsonObject(lines[1]);
  ASSERT_THAT(line, IsOk());
  EXPECT_EQ(line->fields().at("seq").number_value(), (*seqs)[1]);
  EXPECT_EQ(line->fields().count("order_amount"), 0u) << lines[1];
  EXPECT_THAT(d.StopServer(), IsOk());
}

// TLS (issue 8): the library's Subscriber and the example consumer reach an
// mTLS server through ChannelFactory / the channel flags. Refusals (no
// client certificate, another CA) are in tests/tls/tls_server_test.cc.
TEST(CppClientTest, SubscriberAndExampleConsumerOverMtls) {
  TempDir dir;
  absl::StatusOr<TestPki> pki = MakeTestPki(dir.File("pki"));
  ASSERT_THAT(pki, IsOk());
  ChannelOptions channel_options;
  channel_options.ca_file = pki->ca_cert;
  channel_options.cert_file = pki->client_cert;
  channel_options.key_file = pki->client_key;
  absl::StatusOr<ChannelFactory> channels =
      ChannelFactory::Create(channel_options);
  ASSERT_THAT(channels, IsOk());
  Deployment::Options options;
  options.server_args = {"--tls-cert=" + pki->server_cert,
                         "--tls-key=" + pki->server_key,
                         "--client-ca=" + pki->ca_cert};
  options.channel_credentials =
      grpc::SslCredentials({*ReadPem(pki->ca_cert), *ReadPem(pki->client_key),
                            *ReadPem(pki->client_cert)});
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;
  auto stub = d.NewStub();
  const std::vector<uint64_t> published = PublishBatch(*stub, "tls", 6);

  Collector collector;
  Subscriber subscriber(channels->Connect(d.server_address()), TestOptions(),
                        collector.Handler());
  subscriber.Start();
  ASSERT_TRUE(collector.WaitFor(published.size()));
  EXPECT_THAT(subscriber.Shutdown(), IsOk());
  EXPECT_THAT(collector.seqs(), ElementsAreArray(published));

  std::vector<std::string> args =
      ConsumerArgs(d.server_address(), dir.File("consumer.seq"));
  args.insert(args.end(),
              {"--ca=" + pki->ca_cert, "--cert=" + pki->client_cert,
               "--key=" + pki->client_key, "--server-name=localhost"});
  ConsumerProcess consumer(args);
  EXPECT_THAT(consumer.ReadSeqs(published.size(), kWait),
              ElementsAreArray(published));
  EXPECT_EQ(consumer.Stop(SIGTERM, kWait), 0);
  EXPECT_THAT(d.StopServer(), IsOk());
}

}  // namespace
}  // namespace vouchstream::testing
