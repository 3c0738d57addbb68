// vouchstream-publish-load: drives a running vouchstream-server with the
// seed event over N concurrent PublishStreams while M subscribers listen,
// and prints durable events/s and publish->delivery latency (p50/p99,
// measured by the first subscriber from the client's send time).
//
//   vouchstream-publish-load --server=127.0.0.1:50051 --events=100000
//       --streams=4 --subscribers=1 [--rate=10000]
//
// Each run uses fresh event ids, so it can run against a used log.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "transcode/transcoder.h"

#include "vouchstream/v1/api.grpc.pb.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "HOST:PORT");
ABSL_FLAG(int64_t, events, 50000, "Events to publish");
ABSL_FLAG(int32_t, streams, 4, "Concurrent PublishStreams");
ABSL_FLAG(int32_t, subscribers, 1, "Subscribers (from latest)");
ABSL_FLAG(int64_t, customers, 1000,
          "Distinct customer ids the events are spread over (0: the seed's)");
ABSL_FLAG(double, rate, 0, "Target events/s in total (0: as fast as acks)");
ABSL_FLAG(absl::Duration, tail_timeout, absl::Seconds(30),
          "After the last ack, how long subscribers may take to receive "
          "every acknowledged event");
ABSL_FLAG(std::string, seed, VS_TESTDATA_DIR "/publication.succeeded.seed.json",
          "The event body (publication.succeeded)");

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             Clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int64_t total = absl::GetFlag(FLAGS_events);
  const int streams = std::max(1, absl::GetFlag(FLAGS_streams));
  const int subscribers = absl::GetFlag(FLAGS_subscribers);
  const double rate = absl::GetFlag(FLAGS_rate);
  const int64_t distinct_customers = absl::GetFlag(FLAGS_customers);

  std::ifstream in(absl::GetFlag(FLAGS_seed));
  const std::string body(std::istreambuf_iterator<char>(in), {});
  vouchstream::transcode::Transcoder transcoder;
  auto seed = transcoder.FromBody("publication.succeeded", body);
  if (!seed.ok()) {
    std::fprintf(stderr, "seed: %s\n", seed.status().ToString().c_str());
    return 1;
  }
  const std::string run =
      absl::StrCat("pub_load_", absl::ToUnixMillis(absl::Now()), "_");

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  // One channel per stream/subscriber: separate HTTP/2 connections, as
  // separate gateways and consumers would have.
  auto channel = [&](int i) {
    grpc::ChannelArguments a = args;
    a.SetInt("vs_channel_index", i);  // defeats subchannel sharing
    return grpc::CreateCustomChannel(absl::GetFlag(FLAGS_server),
                                     grpc::InsecureChannelCredentials(), a);
  };

  std::vector<std::atomic<int64_t>> sent_ns(total);
  std::vector<int64_t> latencies_ns;
  latencies_ns.reserve(total);
  std::atomic<int64_t> delivered_min{INT64_MAX};

  // Subscribers first, so that they see every event live.
  std::vector<std::unique_ptr<grpc::ClientContext>> sub_contexts;
  std::vector<std::thread> sub_threads;
  std::atomic<int> subscribed{0};
  // Events of this run each subscriber has seen; once the publishers are
  // done they stop at what was acknowledged (a refused event never comes).
  std::vector<std::atomic<int64_t>> received(subscribers);
  for (int s = 0; s < subscribers; ++s) {
    sub_contexts.push_back(std::make_unique<grpc::ClientContext>());
    sub_threads.emplace_back([&, s] {
      auto stub = vouchstream::v1::EventService::NewStub(channel(1000 + s));
      vouchstream::v1::SubscribeRequest request;
      request.set_from(vouchstream::v1::BOUNDARY_LATEST);
      auto reader = stub->Subscribe(sub_contexts[s].get(), request);
      vouchstream::v1::SubscribeResponse response;
      while (reader->Read(&response)) {
        if (response.has_caught_up()) {
          ++subscribed;
          continue;
        }
        if (!response.has_event()) {
          continue;
        }
        absl::string_view id = response.event().id();
        if (!absl::ConsumePrefix(&id, run)) {
          continue;
        }
        int64_t index = 0;
        if (s == 0 && absl::SimpleAtoi(id, &index) && index < total) {
          latencies_ns.push_back(NowNs() - sent_ns[index].load());
        }
        if (++received[s] == total) {
          break;
        }
      }
      sub_contexts[s]->TryCancel();
      reader->Finish();
    });
  }
  while (subscribed.load() < subscribers) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  const int64_t start_ns = NowNs();
  std::atomic<int64_t> acked{0};
  std::atomic<int64_t> failed{0};
  std::vector<std::thread> publishers;
  for (int p = 0; p < streams; ++p) {
    publishers.emplace_back([&, p] {
      auto stub = vouchstream::v1::EventService::NewStub(channel(p));
      grpc::ClientContext context;
      auto stream = stub->PublishStream(&context);
      std::thread writer([&] {
        vouchstream::v1::PublishStreamRequest request;
        *request.mutable_event() = *seed;
        for (int64_t i = p; i < total; i += streams) {
          if (rate > 0) {
            const int64_t due = start_ns + static_cast<int64_t>(i * 1e9 / rate);
            while (NowNs() < due) {
              std::this_thread::sleep_for(std::chrono::microseconds(50));
            }
          }
          request.set_request_id(static_cast<uint64_t>(i));
          request.mutable_event()->set_id(absl::StrCat(run, i));
          if (distinct_customers > 0) {
            // Spread events over customers, as real traffic is: the log's
            // history count is per customer.
            const std::string customer =
                absl::StrCat("cust_load", i % distinct_customers);
            auto* body =
                request.mutable_event()->mutable_publication_succeeded();
            body->mutable_customer()->set_id(customer);
            body->mutable_publication()->set_customer_id(customer);
            if (body->publication().has_customer()) {
              body->mutable_publication()->mutable_customer()->set_id(customer);
            }
            for (auto& voucher : *body->mutable_vouchers()) {
              voucher.set_holder_id(customer);
            }
          }
          sent_ns[i] = NowNs();
          if (!stream->Write(request)) {
            break;
          }
        }
        stream->WritesDone();
      });
      vouchstream::v1::PublishStreamResponse ack;
      while (stream->Read(&ack)) {
        if (ack.has_ok()) {
          ++acked;
        } else if (failed.fetch_add(1) == 0) {
          std::fprintf(stderr, "first refusal: code %d: %s\n",
                       ack.error().code(), ack.error().message().c_str());
        }
      }
      writer.join();
      stream->Finish();
    });
  }
  for (std::thread& t : publishers) {
    t.join();
  }
  const double publish_s = (NowNs() - start_ns) / 1e9;
  // Every acknowledged event must reach every subscriber; give them a
  // bounded time for the tail, then report what they have.
  const absl::Time tail_deadline =
      absl::Now() + absl::GetFlag(FLAGS_tail_timeout);
  for (int s = 0; s < subscribers; ++s) {
    while (received[s].load() < acked.load() && absl::Now() < tail_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    sub_contexts[s]->TryCancel();
  }
  for (std::thread& t : sub_threads) {
    t.join();
  }
  int64_t missing = 0;
  for (int s = 0; s < subscribers; ++s) {
    missing += std::max<int64_t>(0, acked.load() - received[s].load());
  }
  const double deliver_s = (NowNs() - start_ns) / 1e9;

  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto pct = [&](double q) {
    if (latencies_ns.empty()) {
      return 0.0;
    }
    return latencies_ns[static_cast<size_t>(q * (latencies_ns.size() - 1))] /
           1e6;
  };
  std::printf(
      "events=%lld acked=%lld failed=%lld streams=%d subscribers=%d "
      "rate=%s\n"
      "publish: %.0f durable events/s (%.2f s)\n"
      "delivery: all subscribers done after %.2f s; latency p50=%.2f ms "
      "p99=%.2f ms max=%.2f ms (n=%zu); acknowledged but not delivered: "
      "%lld\n",
      static_cast<long long>(total), static_cast<long long>(acked.load()),
      static_cast<long long>(failed.load()), streams, subscribers,
      rate > 0 ? absl::StrCat(rate).c_str() : "max", acked.load() / publish_s,
      publish_s, deliver_s, pct(0.5), pct(0.99), pct(1.0), latencies_ns.size(),
      static_cast<long long>(missing));
  return failed.load() == 0 && missing == 0 ? 0 : 1;
}
