#pragma once
// Test events built from Voucherify's seed payload
// (testdata/voucherify/publication.succeeded.seed.json), parsed with
// protobuf's JsonStringToMessage, the transcoder's oracle.

#include <string>

#include "absl/time/time.h"

#include "vouchstream/v1/event.pb.h"

namespace vouchstream::core::testing {

// When the seed's publication was created: 2024-02-01T12:54:33.174Z.
absl::Time SeedPublicationTime();

// The seed as a publication.succeeded event: id = publication.id, type set,
// received_at = SeedPublicationTime() + 1s, inside a v2024 envelope with
// id "whs_seed", event id "evpub_seed" and both created_at equal to the
// publication's. Aborts if the seed cannot be read.
v1::Event SeedEvent();

// Sets a Timestamp from an absl::Time.
void SetTime(absl::Time time, google::protobuf::Timestamp* out);

}  // namespace vouchstream::core::testing
