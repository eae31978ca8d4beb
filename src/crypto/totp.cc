// SPDX-License-Identifier: Apache-2.0
#include "crypto/totp.h"

#include <array>
#include <chrono>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/check.h"
#include "crypto/internal/base32.h"

namespace mamori::crypto {
namespace {

constexpr size_t kSha1Size = 20;

std::array<uint8_t, kSha1Size> HmacSha1(std::span<const uint8_t> key, uint64_t counter) {
  std::array<uint8_t, 8> message;
  for (int i = 7; i >= 0; --i) {
    message[i] = static_cast<uint8_t>(counter & 0xff);
    counter >>= 8;
  }
  std::array<uint8_t, kSha1Size> out{};
  size_t out_len = 0;
  // EVP_Q_mac is OpenSSL 3's one-shot MAC; it fails only on allocation.
  unsigned char* ok = EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA1", nullptr, key.data(), key.size(),
                                message.data(), message.size(), out.data(), out.size(), &out_len);
  MAMORI_CHECK(ok != nullptr && out_len == kSha1Size);
  return out;
}

uint32_t PowerOfTen(int digits) {
  uint32_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

bool IsDigits(std::string_view code, int digits) {
  if (code.size() != static_cast<size_t>(digits)) return false;
  for (char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void AppendPercentEncoded(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
}

}  // namespace

TotpSecret TotpSecret::Generate(core::Random& random) {
  SecureBytes bytes(kGeneratedSize);
  random.Fill(bytes.mutable_span());
  return TotpSecret(std::move(bytes));
}

core::Result<TotpSecret> TotpSecret::Import(std::span<const uint8_t> bytes) {
  if (bytes.size() < kMinSize || bytes.size() > kMaxSize) {
    return core::InvalidArgumentError("a TOTP secret must be 16 to 64 bytes");
  }
  return TotpSecret(SecureBytes(bytes));
}

core::Result<TotpSecret> TotpSecret::FromBase32(std::string_view text) {
  std::optional<std::vector<uint8_t>> bytes = internal::Base32Decode(text);
  if (!bytes) return core::InvalidArgumentError("a TOTP secret must be base32 (A-Z, 2-7)");
  SecureBytes secure(*bytes);
  OPENSSL_cleanse(bytes->data(), bytes->size());
  return Import(secure.span());
}

std::string TotpSecret::ToBase32() const { return internal::Base32Encode(bytes_.span()); }

std::string HotpCode(const TotpSecret& secret, uint64_t counter, int digits) {
  MAMORI_CHECK(digits >= 6 && digits <= 8);
  std::array<uint8_t, kSha1Size> mac = HmacSha1(secret.ExportKeyBytes(), counter);
  // RFC 4226 section 5.3 dynamic truncation.
  int offset = mac[kSha1Size - 1] & 0x0f;
  uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                    (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                    (static_cast<uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  std::string code = std::to_string(binary % PowerOfTen(digits));
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

uint64_t TotpStep(core::Clock::WallTime time, const TotpParams& params) {
  int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
  if (seconds < 0) return 0;
  return static_cast<uint64_t>(seconds / params.step_seconds);
}

std::string TotpCode(const TotpSecret& secret, core::Clock::WallTime time,
                     const TotpParams& params) {
  return HotpCode(secret, TotpStep(time, params), params.digits);
}

core::Result<uint64_t> VerifyTotp(const TotpSecret& secret, std::string_view code,
                                  core::Clock::WallTime now, uint64_t last_used_step,
                                  const TotpParams& params) {
  if (!IsDigits(code, params.digits)) return core::UnauthenticatedError("code does not match");
  uint64_t current = TotpStep(now, params);
  uint64_t first = current >= kTotpWindow ? current - kTotpWindow : 0;
  bool matched_a_used_step = false;
  // Every step of the window is computed and compared, used or not, so the
  // time taken does not tell which step matched.
  for (uint64_t step = first; step <= current + kTotpWindow; ++step) {
    std::string expected = HotpCode(secret, step, params.digits);
    bool equal = CRYPTO_memcmp(expected.data(), code.data(), expected.size()) == 0;
    if (!equal) continue;
    if (step > last_used_step) return step;
    matched_a_used_step = true;
  }
  if (matched_a_used_step) return core::UnauthenticatedError("code already used");
  return core::UnauthenticatedError("code does not match");
}

std::string TotpKeyUri(const TotpSecret& secret, std::string_view issuer, std::string_view account,
                       const TotpParams& params) {
  std::string uri = "otpauth://totp/";
  AppendPercentEncoded(issuer, uri);
  uri += ':';
  AppendPercentEncoded(account, uri);
  uri += "?secret=" + secret.ToBase32() + "&issuer=";
  AppendPercentEncoded(issuer, uri);
  uri += "&algorithm=SHA1&digits=" + std::to_string(params.digits) +
         "&period=" + std::to_string(params.step_seconds);
  return uri;
}

}  // namespace mamori::crypto
