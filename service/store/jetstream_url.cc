#include "service/store/jetstream_url.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace vouchstream::store {
namespace {

constexpr absl::string_view kScheme = "nats://";

bool IsStreamName(absl::string_view name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           c == '_';
  });
}

absl::Status Bad(absl::string_view url, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("--store: \"", url, "\": ", why,
                   " (want nats://HOST:PORT[,HOST:PORT...]?stream=NAME"
                   "[&replicas=N])"));
}

}  // namespace

bool IsJetStreamUrl(absl::string_view store) {
  return absl::StartsWith(store, kScheme);
}

absl::StatusOr<JetStreamUrl> ParseJetStreamUrl(absl::string_view url) {
  if (!IsJetStreamUrl(url)) {
    return Bad(url, "does not start with nats://");
  }
  absl::string_view rest = url.substr(kScheme.size());
  absl::string_view query;
  if (const size_t question = rest.find('?');
      question != absl::string_view::npos) {
    query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  JetStreamUrl parsed;
  for (absl::string_view server : absl::StrSplit(rest, ',')) {
    absl::ConsumePrefix(&server, kScheme);
    const size_t colon = server.rfind(':');
    int port = 0;
    if (colon == absl::string_view::npos || colon == 0 ||
        !absl::SimpleAtoi(server.substr(colon + 1), &port) || port <= 0 ||
        port > 65535) {
      return Bad(url, absl::StrCat("server \"", server, "\" is not HOST:PORT"));
    }
    parsed.servers.push_back(absl::StrCat(kScheme, server));
  }
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const std::vector<absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    const absl::string_view key = kv[0];
    const absl::string_view value = kv.size() > 1 ? kv[1] : "";
    if (key == "stream") {
      if (!IsStreamName(value)) {
        return Bad(url, absl::StrCat("stream \"", value,
                                     "\" is not 1-64 letters, digits, - or _"));
      }
      parsed.stream.assign(value.data(), value.size());
    } else if (key == "replicas") {
      if (!absl::SimpleAtoi(value, &parsed.replicas) || parsed.replicas < 1 ||
          parsed.replicas > 5) {
        return Bad(url, absl::StrCat("replicas \"", value, "\" is not 1..5"));
      }
    } else {
      return Bad(url, absl::StrCat("unknown key \"", key, "\""));
    }
  }
  if (parsed.stream.empty()) {
    return Bad(url, "no stream=NAME");
  }
  return parsed;
}

}  // namespace vouchstream::store
