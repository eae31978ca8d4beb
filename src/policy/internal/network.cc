// SPDX-License-Identifier: Apache-2.0
#include "policy/internal/network.h"

#include <boost/asio/ip/address.hpp>

namespace mamori::policy::internal {
namespace {

struct Parsed {
  bool v6;
  std::array<uint8_t, 16> bytes{};
};

std::optional<Parsed> ParseAddress(std::string_view text) {
  boost::system::error_code ec;
  boost::asio::ip::address a = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  Parsed p{};
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    p.v6 = false;
    std::copy(b.begin(), b.end(), p.bytes.begin());
  } else {
    auto b = a.to_v6().to_bytes();
    p.v6 = true;
    std::copy(b.begin(), b.end(), p.bytes.begin());
  }
  return p;
}

bool PrefixEquals(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  for (int i = 0; i < bits; ++i) {
    int byte = i / 8, shift = 7 - i % 8;
    if (((a[byte] >> shift) & 1) != ((b[byte] >> shift) & 1)) return false;
  }
  return true;
}

}  // namespace

std::optional<Network> ParseNetwork(std::string_view text) {
  size_t slash = text.find('/');
  std::optional<Parsed> address = ParseAddress(text.substr(0, slash));
  if (!address) return std::nullopt;
  int max = address->v6 ? 128 : 32;
  int length = max;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    length = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      length = length * 10 + (c - '0');
    }
    if (length > max) return std::nullopt;
  }
  // No host bits past the prefix: a typo such as 10.1.2.3/8 is refused.
  for (int i = length; i < max; ++i) {
    if ((address->bytes[i / 8] >> (7 - i % 8)) & 1) return std::nullopt;
  }
  return Network{.v6 = address->v6, .prefix = address->bytes, .prefix_length = length};
}

bool Contains(const Network& network, std::string_view address) {
  std::optional<Parsed> a = ParseAddress(address);
  if (!a || a->v6 != network.v6) return false;
  return PrefixEquals(a->bytes, network.prefix, network.prefix_length);
}

}  // namespace mamori::policy::internal
