#include "tests/service/core/seed_event.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "google/protobuf/util/json_util.h"

namespace vouchstream::core::testing {

absl::Time SeedPublicationTime() {
  return absl::FromUnixMillis(1706792073174);  // 2024-02-01T12:54:33.174Z
}

void SetTime(absl::Time time, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(time);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

v1::Event SeedEvent() {
  static const v1::Event* const kSeed = [] {
    const std::string path =
        std::string(VS_TESTDATA_DIR) + "/publication.succeeded.seed.json";
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto* event = new v1::Event();
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    auto status = google::protobuf::util::JsonStringToMessage(
        text.str(), event->mutable_publication_succeeded(), options);
    if (!in || !status.ok()) {
      std::cerr << path << ": " << status.ToString() << "\n";
      std::abort();
    }
    event->set_id(event->publication_succeeded().publication().id());
    event->set_type("publication.succeeded");
    SetTime(SeedPublicationTime() + absl::Seconds(1),
            event->mutable_received_at());
    voucherify::v1::WebhookEnvelope& envelope = *event->mutable_envelope();
    envelope.set_id("whs_seed");
    envelope.set_type("publication.succeeded");
    envelope.mutable_event()->set_id("evpub_seed");
    envelope.mutable_event()->set_type("publication.succeeded");
    SetTime(SeedPublicationTime(), envelope.mutable_created_at());
    SetTime(SeedPublicationTime(),
            envelope.mutable_event()->mutable_created_at());
    return event;
  }();
  return *kSeed;
}

}  // namespace vouchstream::core::testing
