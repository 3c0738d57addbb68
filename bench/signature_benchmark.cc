// The gateway's webhook signature check (HMAC-SHA256, constant-time compare)
// on Voucherify's seed body: work our gateway does per request that the
// grpc-gateway peer in bench/run does not, so the report can name its cost.

#include <fstream>
#include <sstream>
#include <string>

#include "transcode/signature.h"
#include <benchmark/benchmark.h>

namespace {

using ::vouchstream::transcode::SignatureVerifier;
using ::vouchstream::transcode::SignHex;
using ::vouchstream::transcode::StripJsonWhitespace;

constexpr const char* kSecret = "bench-secret";

const std::string& Seed() {
  static const std::string* const kSeed = [] {
    std::ifstream in(std::string(VS_TESTDATA_DIR) +
                     "/publication.succeeded.seed.json");
    std::ostringstream contents;
    contents << in.rdbuf();
    return new std::string(contents.str());
  }();
  return *kSeed;
}

void VerifyLoop(benchmark::State& state, const std::string& signature) {
  auto verifier = SignatureVerifier::Create({kSecret});
  if (!verifier.ok() || !(*verifier)->Verify(Seed(), signature).ok()) {
    state.SkipWithError("the seed's signature does not verify");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize((*verifier)->Verify(Seed(), signature));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(Seed().size()));
}

// The common case: the signature is over the bytes as sent.
void BM_VerifySeedSignature(benchmark::State& state) {
  VerifyLoop(state, SignHex(kSecret, Seed()));
}
BENCHMARK(BM_VerifySeedSignature);

// The fallback: a signature over the compact JSON of a pretty-printed body
// costs a failed HMAC, a whitespace strip and a second HMAC.
void BM_VerifySeedSignatureCompactFallback(benchmark::State& state) {
  VerifyLoop(state, SignHex(kSecret, StripJsonWhitespace(Seed())));
}
BENCHMARK(BM_VerifySeedSignatureCompactFallback);

}  // namespace

BENCHMARK_MAIN();
