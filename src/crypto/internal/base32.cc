// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/base32.h"

namespace mamori::crypto::internal {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// The 5-bit value of `c`, or -1.
int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

// A final group of 8 characters can end after 2, 4, 5 or 7 of them (1, 2,
// 3 or 4 bytes); any other remainder cannot come from whole bytes.
bool IsPossibleRemainder(size_t chars) {
  return chars == 0 || chars == 2 || chars == 4 || chars == 5 || chars == 7;
}

}  // namespace

std::string Base32Encode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(buffer >> bits) & 0x1f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

std::optional<std::vector<uint8_t>> Base32Decode(std::string_view text) {
  size_t padding_at = text.find('=');
  if (padding_at != std::string_view::npos) {
    // Padding only at the end, and only up to the next multiple of 8.
    if (text.find_first_not_of('=', padding_at) != std::string_view::npos) return std::nullopt;
    if (text.size() % 8 != 0) return std::nullopt;
    text = text.substr(0, padding_at);
  }
  if (!IsPossibleRemainder(text.size() % 8)) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() * 5 / 8);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = Base32Value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(buffer >> bits));
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;  // unused bits must be zero
  return out;
}

}  // namespace mamori::crypto::internal
