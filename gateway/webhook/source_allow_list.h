#pragma once
// The gateway's source allow-list (`--allow-from`): a set of IPv4 and IPv6
// networks in CIDR notation. An empty list allows every source.
//
//   auto list = SourceAllowList::Parse("203.0.113.0/24,2001:db8::/32");
//   if (!list.ok()) { ... }  // kInvalidArgument naming the bad entry
//   if (!list->Allows(peer.address())) { ... 403 SOURCE_NOT_ALLOWED ... }
//
// Entries are parsed by Boost.Asio (`make_network_v4` / `make_network_v6`);
// a bare address is a single host (/32 or /128). An IPv4-mapped IPv6 peer
// (::ffff:192.0.2.1, as a dual-stack socket reports IPv4 clients) is
// matched as the IPv4 address it carries.
//
// Thread-safe: immutable after `Parse`.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

namespace vouchstream::gateway {

class SourceAllowList {
 public:
  // Allows everyone.
  SourceAllowList() = default;

  // `csv`: comma-separated CIDRs or addresses; blanks around entries are
  // ignored; "" allows everyone. Errors: kInvalidArgument.
  static absl::StatusOr<SourceAllowList> Parse(absl::string_view csv);

  bool empty() const { return v4_.empty() && v6_.empty(); }

  bool Allows(const boost::asio::ip::address& address) const;

  // The networks as "a.b.c.d/n", comma-separated (for the startup line).
  std::string ToString() const;

 private:
  // Appends one non-empty entry; kInvalidArgument naming it.
  absl::Status Add(absl::string_view entry);

  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

}  // namespace vouchstream::gateway
