#pragma once
// A caller as the access file describes it: its name, its scopes and what is
// redacted from the events it reads. Built by AccessPolicy from the file;
// `Principal::Anonymous()` stands for every caller when the server runs
// without an access file.
//
// Thread-safe: immutable once built; shared as `shared_ptr<const Principal>`.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "service/auth/redactor.h"

namespace vouchstream::auth {

struct Principal {
  // Which events a subscriber may read; an empty list does not limit.
  struct SubscribeScope {
    std::vector<std::string> event_types;  // patterns, "*" = any run
    std::vector<std::string> campaign_ids;
  };

  std::string name;
  bool publish = false;
  bool admin = false;
  std::optional<SubscribeScope> subscribe;  // nullopt: no subscribe scope
  Redactor redactor;
  // The principal's entry in the file, serialized: a reload that changes it
  // ends the principal's open streams (their scope was fixed at start).
  std::string fingerprint;

  // Every scope, nothing redacted: the server without --access.
  static std::shared_ptr<const Principal> Anonymous();
};

}  // namespace vouchstream::auth
