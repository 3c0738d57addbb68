// The CLI's proto -> JSON step on a typical delivered event (the seed body
// transcoded, with the enrichment the service adds): transcode::JsonPrinter
// beside protobuf's MessageToJsonString with the same options, in one run
// so that the ratio holds on a noisy machine.

#include <fstream>
#include <sstream>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "transcode/json_printer.h"
#include "transcode/transcoder.h"
#include <benchmark/benchmark.h>

#include "vouchstream/v1/event.pb.h"

namespace {

// The seed as the service delivers it to `vouchstream-cli subscribe`.
const vouchstream::v1::Event& TypicalEvent() {
  static const vouchstream::v1::Event* const kEvent = [] {
    std::ifstream in(std::string(VS_TESTDATA_DIR) +
                     "/publication.succeeded.seed.json");
    std::ostringstream body;
    body << in.rdbuf();
    vouchstream::transcode::Transcoder transcoder;
    auto* event = new vouchstream::v1::Event(
        *transcoder.FromBody("publication.succeeded", body.str()));
    event->set_seq(1);
    const auto status = google::protobuf::util::JsonStringToMessage(
        R"({"delivery_lag": "89882188.452085794s",
            "origin_created_at": "2024-02-01T12:54:33.174Z",
            "campaign_id": "camp_EV79Z6CjaAMpX4pFxVivvzzk",
            "customer_id": "cust_load3",
            "vouchers": [{"voucher_id": "v_gZt6Zc74XKRv6VXSqubC2jDMfHjzbFPi",
                          "code": "ZERO-8", "code_matches_config": true,
                          "discount_summary":
                              "0 free units of prod_0df14b7e7d8975079d"}],
            "customer_region": "EMEA",
            "history": {"first_publication": true}})",
        event->mutable_enrichment());
    if (!status.ok()) {
      std::abort();
    }
    return event;
  }();
  return *kEvent;
}

void BM_JsonPrinter(benchmark::State& state) {
  vouchstream::transcode::JsonPrinter printer(
      {/*preserve_proto_field_names=*/true, /*add_whitespace=*/false});
  std::string json;
  for (auto _ : state) {
    json.clear();
    if (!printer.Print(TypicalEvent(), &json).ok()) {
      state.SkipWithError("print failed");
      break;
    }
    benchmark::DoNotOptimize(json.data());
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(json.size()));
}
BENCHMARK(BM_JsonPrinter);

void BM_MessageToJsonString(benchmark::State& state) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  for (auto _ : state) {
    json.clear();
    if (!google::protobuf::util::MessageToJsonString(TypicalEvent(), &json,
                                                     options)
             .ok()) {
      state.SkipWithError("print failed");
      break;
    }
    benchmark::DoNotOptimize(json.data());
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(json.size()));
}
BENCHMARK(BM_MessageToJsonString);

// What subscribe does per delivery: parse the bytes gRPC received, print.
void BM_ParseAndPrint(benchmark::State& state) {
  const std::string wire = TypicalEvent().SerializeAsString();
  vouchstream::transcode::JsonPrinter printer(
      {/*preserve_proto_field_names=*/true, /*add_whitespace=*/false});
  std::string json;
  for (auto _ : state) {
    vouchstream::v1::Event event;
    if (!event.ParseFromString(wire)) {
      state.SkipWithError("parse failed");
      break;
    }
    json.clear();
    benchmark::DoNotOptimize(printer.Print(event, &json));
  }
}
BENCHMARK(BM_ParseAndPrint);

}  // namespace

BENCHMARK_MAIN();
