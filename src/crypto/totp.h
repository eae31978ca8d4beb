// SPDX-License-Identifier: Apache-2.0
#pragma once

// One-time passwords for the second login factor (GUIDELINE SYS-41):
// HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1, 6 digits and 30-second
// steps, the parameters every authenticator app and `oathtool --totp` use by
// default. SHA-1 is what those apps support; HMAC-SHA-1 remains a sound PRF
// (RFC 6238 section 5, NIST SP 800-107), so collisions in SHA-1 do not help
// an attacker here.
//
// VerifyTotp accepts the current step and one step either side (clock drift
// between phone and server), and returns the step that matched so the caller
// can store it and refuse that step and every earlier one next time: a code,
// once used, never works again (no replay), and a code two steps old never
// works at all.
//
//   crypto::TotpSecret secret = crypto::TotpSecret::Generate(env.random());
//   std::string uri = crypto::TotpKeyUri(secret, "mamori", "yamada.taro");  // for the QR code
//   MAMORI_ASSIGN_OR_RETURN(uint64_t step,
//       crypto::VerifyTotp(secret, code, env.clock().Now(), account.last_totp_step));
//   account.last_totp_step = step;   // persist with the login
//
// Thread-safety: pure functions; a TotpSecret may be shared read-only.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"
#include "crypto/secure_bytes.h"

namespace mamori::crypto {

// The shared secret K of RFC 4226. Typed so that it never prints and is
// wiped when dropped (STYLE.md rule 20).
class TotpSecret {
 public:
  // 20 bytes: the 160 bits RFC 4226 section 4 recommends.
  static constexpr size_t kGeneratedSize = 20;
  // RFC 4226 R6 asks for at least 128 bits; more than 64 bytes would be
  // hashed down by HMAC anyway.
  static constexpr size_t kMinSize = 16;
  static constexpr size_t kMaxSize = 64;

  static TotpSecret Generate(core::Random& random);
  // Errors: kInvalidArgument outside kMinSize..kMaxSize.
  static core::Result<TotpSecret> Import(std::span<const uint8_t> bytes);
  // From the base32 text an app shows or oathtool takes.
  // Errors: kInvalidArgument if it is not base32 or of the wrong size.
  static core::Result<TotpSecret> FromBase32(std::string_view text);

  TotpSecret(TotpSecret&&) noexcept = default;
  TotpSecret& operator=(TotpSecret&&) noexcept = default;
  TotpSecret Clone() const { return TotpSecret(bytes_.Clone()); }

  // Upper-case base32 without padding, for enrolment only (QR code, or typed
  // into an app). REQUIRES: not moved from.
  std::string ToBase32() const;
  // The raw bytes, for sealing the secret at rest only.
  std::span<const uint8_t> ExportKeyBytes() const { return bytes_.span(); }

 private:
  explicit TotpSecret(SecureBytes bytes) : bytes_(std::move(bytes)) {}
  SecureBytes bytes_;
};

struct TotpParams {
  int64_t step_seconds = 30;  // X of RFC 6238
  int digits = 6;             // 6 to 8
};

// How many steps either side of now a code may come from.
inline constexpr int kTotpWindow = 1;

// RFC 4226 HOTP value of `counter`, zero-padded to `digits` (6..8) digits.
std::string HotpCode(const TotpSecret& secret, uint64_t counter, int digits);

// The RFC 6238 time step T = floor((unix time - T0) / X) with T0 = 0.
// Times before 1970 give step 0.
uint64_t TotpStep(core::Clock::WallTime time, const TotpParams& params = {});

// The code for the step containing `time`.
std::string TotpCode(const TotpSecret& secret, core::Clock::WallTime time,
                     const TotpParams& params = {});

// Checks `code` against the steps now-1, now and now+1 that are later than
// `last_used_step` (0 when none was used yet), in constant time per step.
// Returns the step that matched, which the caller must store as the new
// last_used_step before it acknowledges the login.
// Errors: kUnauthenticated "code does not match" (wrong, malformed, or older
// than one step), kUnauthenticated "code already used" (its step is not after
// last_used_step). The message carries neither the code nor the secret.
core::Result<uint64_t> VerifyTotp(const TotpSecret& secret, std::string_view code,
                                  core::Clock::WallTime now, uint64_t last_used_step,
                                  const TotpParams& params = {});

// The otpauth:// key URI that authenticator apps read from a QR code:
//   otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
// Issuer and account are percent-encoded (UTF-8 names stay readable in apps).
std::string TotpKeyUri(const TotpSecret& secret, std::string_view issuer, std::string_view account,
                       const TotpParams& params = {});

}  // namespace mamori::crypto
