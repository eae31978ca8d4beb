// SPDX-License-Identifier: Apache-2.0
#include "http/internal/request_id.h"

#include <array>
#include <cstdint>

namespace mamori::http::internal {

std::string NewRequestId(core::Random& random) {
  std::array<uint8_t, 16> bytes;
  random.Fill(bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(32);
  for (uint8_t b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

bool IsWellFormedClientRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace mamori::http::internal
