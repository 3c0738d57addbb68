// The JSON -> proto step of the gateway on Voucherify's seed body, beside
// protobuf's JsonStringToMessage and simdjson's bare parse, in one run so
// that the ratios hold on a noisy machine; then one body per event family
// (testdata/voucherify/events), typed by its own message (issue 13).

#include <fstream>
#include <sstream>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "transcode/json_document.h"
#include "transcode/transcoder.h"
#include <benchmark/benchmark.h>

#include "voucherify/v1/events.pb.h"

namespace {

std::string ReadContract(const char* name) {
  std::ifstream in(std::string(VS_TESTDATA_DIR) + "/" + name);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

const std::string& Seed() {
  static const std::string* const kSeed =
      new std::string(ReadContract("publication.succeeded.seed.json"));
  return *kSeed;
}

// The seed wrapped in a v2024 envelope, as a project webhook sends it.
const std::string& SeedEnvelope() {
  static const std::string* const kEnvelope = new std::string(
      R"({"id":"whs_0a1b2c3d","project_id":"proj_1","created_at":)"
      R"("2024-02-01T12:54:33.298Z","type":"publication.succeeded",)"
      R"("source":{"id":"wh_1","object":"webhook","target_url":"https://x"},)"
      R"("event":{"id":"evpub_1","type":"publication.succeeded",)"
      R"("created_at":"2024-02-01T12:54:33.180Z","entity_id":"pub_1",)"
      R"("group_id":"v-1","event_source":{"channel":"USER_PORTAL"}},)"
      R"("data":)" +
      Seed() + "}");
  return *kEnvelope;
}

void BM_TranscodeSeedBody(benchmark::State& state) {
  vouchstream::transcode::Transcoder transcoder;
  for (auto _ : state) {
    auto event = transcoder.FromBody("publication.succeeded", Seed());
    if (!event.ok()) {
      state.SkipWithError("transcode failed");
      break;
    }
    benchmark::DoNotOptimize(event);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(Seed().size()));
}
BENCHMARK(BM_TranscodeSeedBody);

void BM_TranscodeSeedEnvelope(benchmark::State& state) {
  vouchstream::transcode::Transcoder transcoder;
  for (auto _ : state) {
    auto event = transcoder.FromEnvelope(SeedEnvelope());
    if (!event.ok()) {
      state.SkipWithError("transcode failed");
      break;
    }
    benchmark::DoNotOptimize(event);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(SeedEnvelope().size()));
}
BENCHMARK(BM_TranscodeSeedEnvelope);

// The oracle, as a naive gateway would use it.
void BM_JsonStringToMessageSeedBody(benchmark::State& state) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  for (auto _ : state) {
    voucherify::v1::PublicationSucceeded body;
    auto status =
        google::protobuf::util::JsonStringToMessage(Seed(), &body, options);
    if (!status.ok()) {
      state.SkipWithError("JsonStringToMessage failed");
      break;
    }
    benchmark::DoNotOptimize(body);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(Seed().size()));
}
BENCHMARK(BM_JsonStringToMessageSeedBody);

// The floor: simdjson's parse alone, no message.
void BM_SimdjsonParseSeedBody(benchmark::State& state) {
  vouchstream::transcode::JsonDocument document(64);
  for (auto _ : state) {
    auto root = document.Parse(Seed());
    benchmark::DoNotOptimize(root);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(Seed().size()));
}
BENCHMARK(BM_SimdjsonParseSeedBody);

// One fixture body per family of the contract (one .proto file each).
void BM_TranscodeFamilyBody(benchmark::State& state, const char* type) {
  const std::string body =
      ReadContract((std::string("events/") + type + ".json").c_str());
  vouchstream::transcode::Transcoder transcoder;
  for (auto _ : state) {
    auto event = transcoder.FromBody(type, body);
    if (!event.ok() || event->has_data()) {
      state.SkipWithError("transcode failed or fell back to data");
      break;
    }
    benchmark::DoNotOptimize(event);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(body.size()));
}
BENCHMARK_CAPTURE(BM_TranscodeFamilyBody, redemption, "redemption.succeeded");
BENCHMARK_CAPTURE(BM_TranscodeFamilyBody, voucher, "voucher.created");
BENCHMARK_CAPTURE(BM_TranscodeFamilyBody, customer, "customer.updated");
BENCHMARK_CAPTURE(BM_TranscodeFamilyBody, order, "customer.order.paid");
BENCHMARK_CAPTURE(BM_TranscodeFamilyBody, campaign, "campaign.created");
BENCHMARK_CAPTURE(BM_TranscodeFamilyBody, loyalty,
                  "voucher.loyalty_card.points_added");
BENCHMARK_CAPTURE(BM_TranscodeFamilyBody, validation_rule,
                  "business_validation_rule.created");
BENCHMARK_CAPTURE(BM_TranscodeFamilyBody, distribution,
                  "manual_distribution_schedule");

}  // namespace

BENCHMARK_MAIN();
