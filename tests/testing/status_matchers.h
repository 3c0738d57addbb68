#pragma once
// GoogleTest matchers for absl::Status and absl::StatusOr<T>, in the shape of
// google-cloud-cpp's (Debian's Abseil ships none):
//
//   EXPECT_THAT(log->Append(...), IsOk());
//   EXPECT_THAT(Transcode("[]"), StatusIs(absl::StatusCode::kInvalidArgument,
//                                         HasSubstr("not an object")));

#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace vouchstream::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  if (!status.ok()) {
    *result_listener << "status is " << status;
  }
  return status.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + absl::StatusCodeToString(code) + " and a message " +
               ::testing::DescribeMatcher<std::string>(message_matcher)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status is " << status;
  const std::string message(status.message());
  return status.code() == code && ::testing::Matches(message_matcher)(message);
}

}  // namespace vouchstream::testing
