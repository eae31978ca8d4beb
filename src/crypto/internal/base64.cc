// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/base64.h"

namespace mamori::crypto::internal {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of `c` in the alphabet whose last two characters are
// c62 and c63 ("+/" standard, "-_" URL-safe), or -1.
int Base64Value(char c, char c62, char c63) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == c62) return 62;
  if (c == c63) return 63;
  return -1;
}

std::optional<std::vector<uint8_t>> DecodeUnpadded(std::string_view text, char c62, char c63) {
  // 4k+1 characters carry 6 bits past a whole byte: no encoder writes that.
  if (text.size() % 4 == 1) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() * 6 / 8);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int value = Base64Value(c, c62, c63);
    if (value < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
    acc &= (1u << bits) - 1;
  }
  // Leftover bits must be zero, or two strings would decode to one value.
  if (acc != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string Base64EncodeUnpadded(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 5) / 6);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

std::optional<std::vector<uint8_t>> Base64DecodeUnpadded(std::string_view text) {
  return DecodeUnpadded(text, '+', '/');
}

std::optional<std::vector<uint8_t>> Base64UrlDecodeUnpadded(std::string_view text) {
  return DecodeUnpadded(text, '-', '_');
}

}  // namespace mamori::crypto::internal
