#include "gateway/webhook/source_allow_list.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include <boost/system/error_code.hpp>

namespace vouchstream::gateway {
namespace {

namespace ip = boost::asio::ip;

absl::Status BadEntry(absl::string_view entry, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("--allow-from: \"", entry, "\" ", why));
}

// `Network` is ip::network_v4 or ip::network_v6. 10.1.2.3/8 is most likely
// a typo for a host or for 10.0.0.0/8: refused rather than guessed.
template <class Network>
absl::Status CheckNetwork(absl::string_view entry, const Network& network) {
  if (network.network() != network.address()) {
    return BadEntry(entry, absl::StrCat("has host bits set (network is ",
                                        network.canonical().to_string(), ")"));
  }
  return absl::OkStatus();
}

// True if `address` lies in one of `networks` (both v4 or both v6). A host
// is in its own /32 network while `is_subnet_of` is strict, so the masked
// address is compared instead.
template <class Address, class Network>
bool InAny(const Address& address, const std::vector<Network>& networks) {
  return std::any_of(
      networks.begin(), networks.end(), [&address](const Network& network) {
        return Network(address, network.prefix_length()).canonical() == network;
      });
}

}  // namespace

absl::Status SourceAllowList::Add(absl::string_view entry) {
  const std::string text(entry);
  boost::system::error_code ec;
  if (!absl::StrContains(text, '/')) {
    const ip::address host = ip::make_address(text, ec);
    if (ec) {
      return BadEntry(entry, "is not an IP address or CIDR");
    }
    if (host.is_v4()) {
      v4_.emplace_back(host.to_v4(), 32);
    } else {
      v6_.emplace_back(host.to_v6(), 128);
    }
    return absl::OkStatus();
  }
  if (!absl::StrContains(text, ':')) {
    const ip::network_v4 network = ip::make_network_v4(text, ec);
    if (ec) {
      return BadEntry(entry, "is not an IPv4 CIDR");
    }
    v4_.push_back(network);
    return CheckNetwork(entry, network);
  }
  const ip::network_v6 network = ip::make_network_v6(text, ec);
  if (ec) {
    return BadEntry(entry, "is not an IPv6 CIDR");
  }
  v6_.push_back(network);
  return CheckNetwork(entry, network);
}

absl::StatusOr<SourceAllowList> SourceAllowList::Parse(absl::string_view csv) {
  SourceAllowList list;
  for (absl::string_view entry : absl::StrSplit(csv, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) {
      continue;
    }
    absl::Status added = list.Add(entry);
    if (!added.ok()) {
      return added;
    }
  }
  return list;
}

bool SourceAllowList::Allows(const ip::address& address) const {
  if (empty()) {
    return true;
  }
  if (address.is_v4()) {
    return InAny(address.to_v4(), v4_);
  }
  const ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return InAny(ip::make_address_v4(ip::v4_mapped, v6), v4_);
  }
  return InAny(v6, v6_);
}

std::string SourceAllowList::ToString() const {
  std::vector<std::string> parts;
  parts.reserve(v4_.size() + v6_.size());
  for (const ip::network_v4& network : v4_) {
    parts.push_back(network.to_string());
  }
  for (const ip::network_v6& network : v6_) {
    parts.push_back(network.to_string());
  }
  return absl::StrJoin(parts, ",");
}

}  // namespace vouchstream::gateway
