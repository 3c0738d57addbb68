#include "gateway/source_allow_list.h"

#include "absl/strings/ascii.h"
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

}  // namespace

absl::StatusOr<SourceAllowList> SourceAllowList::Parse(absl::string_view csv) {
  SourceAllowList list;
  for (absl::string_view entry : absl::StrSplit(csv, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (entry.empty()) {
      continue;
    }
    const std::string text(entry);
    boost::system::error_code ec;
    if (text.find('/') == std::string::npos) {
      const ip::address host = ip::make_address(text, ec);
      if (ec) {
        return BadEntry(entry, "is not an IP address or CIDR");
      }
      if (host.is_v4()) {
        list.v4_.emplace_back(host.to_v4(), 32);
      } else {
        list.v6_.emplace_back(host.to_v6(), 128);
      }
      continue;
    }
    if (text.find(':') == std::string::npos) {
      const ip::network_v4 network = ip::make_network_v4(text, ec);
      if (ec) {
        return BadEntry(entry, "is not an IPv4 CIDR");
      }
      // 10.1.2.3/8 is most likely a typo for a host or for 10.0.0.0/8;
      // refuse it rather than guess.
      if (network.network() != network.address()) {
        return BadEntry(entry,
                        absl::StrCat("has host bits set (network is ",
                                     network.canonical().to_string(), ")"));
      }
      list.v4_.push_back(network);
    } else {
      const ip::network_v6 network = ip::make_network_v6(text, ec);
      if (ec) {
        return BadEntry(entry, "is not an IPv6 CIDR");
      }
      if (network.network() != network.address()) {
        return BadEntry(entry,
                        absl::StrCat("has host bits set (network is ",
                                     network.canonical().to_string(), ")"));
      }
      list.v6_.push_back(network);
    }
  }
  return list;
}

bool SourceAllowList::Allows(const ip::address& address) const {
  if (empty()) {
    return true;
  }
  ip::address_v4 v4;
  bool is_v4 = address.is_v4();
  if (is_v4) {
    v4 = address.to_v4();
  } else if (address.to_v6().is_v4_mapped()) {
    v4 = ip::make_address_v4(ip::v4_mapped, address.to_v6());
    is_v4 = true;
  }
  if (is_v4) {
    for (const ip::network_v4& network : v4_) {
      // A host is "in" its own /32 network: `is_subnet_of` is strict, so
      // compare the masked address instead.
      if (ip::network_v4(v4, network.prefix_length()).canonical() == network) {
        return true;
      }
    }
    return false;
  }
  const ip::address_v6 v6 = address.to_v6();
  for (const ip::network_v6& network : v6_) {
    if (ip::network_v6(v6, network.prefix_length()).canonical() == network) {
      return true;
    }
  }
  return false;
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
