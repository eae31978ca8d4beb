// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to policy: CIDR networks for network zones (SYS-09, zero trust).
// IPv4-mapped IPv6 peers (::ffff:10.0.0.5) match IPv4 networks, because a
// dual-stack listener reports IPv4 clients that way.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mamori::policy::internal {

struct Network {
  bool v6 = false;
  std::array<uint8_t, 16> prefix{};  // v4 uses the first 4 bytes
  int prefix_length = 0;
};

// "10.0.0.0/8", "::1/128", "192.168.1.7" (a host). nullopt if malformed or
// if bits are set past the prefix length (write 10.0.0.0/8, not 10.1.2.3/8).
std::optional<Network> ParseNetwork(std::string_view text);

// Whether `address` (textual, as the server reports the peer) lies in
// `network`. False for an address that does not parse.
bool Contains(const Network& network, std::string_view address);

}  // namespace mamori::policy::internal
