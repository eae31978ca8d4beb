// SPDX-License-Identifier: Apache-2.0
#pragma once

// Argon2id (RFC 9106) over libargon2: the memory-hard function that turns a
// passphrase into the key that wraps the master key file (key_file.h) and
// that stores user passwords as PHC strings (GUIDELINE SYS-42, SYS-60; STYLE.md
// rule 21: a stored hash carries its own parameters).
//
// Argon2id() is the raw function, with the optional secret K and associated
// data X of RFC 9106 section 3.1 (libargon2's argon2_ctx, so the RFC's own
// test vectors run). HashPassword(), VerifyPassword() and NeedsRehash() handle
// the PHC string format that libargon2, libsodium and argon2-cffi also write:
//
//   $argon2id$v=19$m=65536,t=2,p=1$<salt, B64>$<hash, B64>
//
// (B64 is base64 without "=" padding; the parser accepts only the canonical
// form, so a stored string cannot be rewritten into another one that verifies.)
//
// Nothing here keeps state. Inputs are borrowed for the duration of a call;
// outputs are owned by the caller (derived keys in a SecureBytes, which wipes
// itself). libargon2 wipes its working memory before freeing it.
//
//   // at account creation, and on login when NeedsRehash says so:
//   MAMORI_ASSIGN_OR_RETURN(std::string phc,
//       crypto::HashPassword(password, crypto::kArgon2PasswordParams, env.random()));
//   // at login:
//   MAMORI_ASSIGN_OR_RETURN(bool ok, crypto::VerifyPassword(password, stored_phc));
//   if (!ok) return core::UnauthenticatedError("wrong user name or password");
//   if (crypto::NeedsRehash(stored_phc, crypto::kArgon2PasswordParams)) { /* re-hash, store */ }
//   // tests: small parameters, e.g. Argon2Params{.memory_kib = 64, .iterations = 1,
//   //        .parallelism = 1}, and core::DeterministicRandom for the salt.
//
// Thread-safety: every function may be called from any thread. Each call
// allocates memory_kib KiB for its duration and runs `parallelism` threads.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/random.h"
#include "core/status.h"
#include "crypto/secure_bytes.h"

namespace mamori::crypto {

// The three Argon2id cost parameters (RFC 9106 section 3.1), checked by
// CheckArgon2Params against the ranges below. The version is always 0x13
// (v=19), the only one RFC 9106 specifies.
struct Argon2Params {
  // m: memory in KiB (1 KiB blocks), 8 * parallelism to kArgon2MaxMemoryKib.
  uint32_t memory_kib = 0;
  // t: passes over the memory, 1 to kArgon2MaxIterations.
  uint32_t iterations = 0;
  // p: lanes, 1 to kArgon2MaxParallelism; also the number of threads used.
  uint32_t parallelism = 0;

  friend bool operator==(const Argon2Params&, const Argon2Params&) = default;
};

// The master key file (key_file.h): m = 256 MiB, t = 3, p = 2, libsodium's
// "moderate" cost (MEMLIMIT/OPSLIMIT_MODERATE) in two lanes. Opened once at
// start-up, so it can afford most of a second: 0.5-0.8 s on the reference
// machine (2 shared vCPUs, libargon2 20171227), up to about 1.3 s while the
// other core is busy compiling (README.md "Testing" has the crypto_benchmark
// figures). Every passphrase guess against a stolen key file or backup costs
// the same 256 MiB and time.
inline constexpr Argon2Params kArgon2KeyFileParams{
    .memory_kib = 256 * 1024, .iterations = 3, .parallelism = 2};

// User passwords (auth; issue 7 asks for 50-150 ms per login): m = 64 MiB,
// t = 2, p = 1, libsodium's "interactive" cost (MEMLIMIT/OPSLIMIT_INTERACTIVE):
// 115-135 ms of one core on the reference machine, up to about 190 ms wall
// time while both cores are busy. One lane, so concurrent logins each take one
// core rather than all of them.
inline constexpr Argon2Params kArgon2PasswordParams{
    .memory_kib = 64 * 1024, .iterations = 2, .parallelism = 1};

// Limits on parameters this module accepts, from callers and from stored PHC
// strings and key files alike: a damaged or hostile value must not make mamori
// allocate terabytes or loop for days.
inline constexpr uint32_t kArgon2MaxMemoryKib = 4 * 1024 * 1024;  // 4 GiB
inline constexpr uint32_t kArgon2MaxIterations = 64;
inline constexpr uint32_t kArgon2MaxParallelism = 16;
// RFC 9106 section 3.1: the salt is at least 8 bytes (16 recommended) and the
// tag at least 4 bytes.
inline constexpr size_t kArgon2MinSaltSize = 8;
inline constexpr size_t kArgon2MinOutputSize = 4;
inline constexpr size_t kArgon2MaxOutputSize = 1024;

// What HashPassword writes: a 16-byte random salt and a 32-byte hash.
inline constexpr size_t kPasswordSaltSize = 16;
inline constexpr size_t kPasswordHashSize = 32;
// Passwords longer than this are refused (they cost nothing much to hash, but
// no human types 4 KiB, and auth's request limits are smaller still).
inline constexpr size_t kMaxPasswordSize = 4096;
// PHC strings longer than this are not ones this module wrote or could read.
inline constexpr size_t kMaxPhcSize = 512;

// OK when `params` is within the limits above.
// Errors: kInvalidArgument naming the parameter and its allowed range.
core::Status CheckArgon2Params(const Argon2Params& params);

// Argon2id(password, salt, params) with an optional secret (RFC 9106's K, a
// pepper) and associated data (X). Returns `out_len` bytes.
// Errors: kInvalidArgument if the params fail CheckArgon2Params, the salt is
// shorter than kArgon2MinSaltSize, out_len is outside [kArgon2MinOutputSize,
// kArgon2MaxOutputSize], or an input is longer than 2^32 - 1 bytes;
// kResourceExhausted if the memory or threads cannot be had; kInternal if
// libargon2 fails otherwise.
core::Result<SecureBytes> Argon2id(std::span<const uint8_t> password, std::span<const uint8_t> salt,
                                   const Argon2Params& params, size_t out_len,
                                   std::span<const uint8_t> secret = {},
                                   std::span<const uint8_t> ad = {});

// Hashes `password` with a fresh kPasswordSaltSize-byte salt from `random` and
// returns the PHC string "$argon2id$v=19$m=<m>,t=<t>,p=<p>$<salt>$<hash>".
// Errors: kInvalidArgument if the params are out of range or the password is
// longer than kMaxPasswordSize; otherwise as Argon2id.
core::Result<std::string> HashPassword(std::string_view password, const Argon2Params& params,
                                       core::Random& random);

// True when `password` hashes to the hash in `phc` under the salt and
// parameters that `phc` names; false when it does not. The hashes are compared
// in constant time. Accepts any well-formed Argon2id v=19 PHC string within the
// limits above (salts of 8 to 64 bytes, hashes of 16 to 64 bytes), not only
// those HashPassword writes.
// Errors: kInvalidArgument if `phc` is malformed, names another algorithm or
// version, or has parameters out of range, or if the password is longer than
// kMaxPasswordSize; kResourceExhausted and kInternal as for Argon2id.
core::Result<bool> VerifyPassword(std::string_view password, std::string_view phc);

// True when `phc` is not exactly what HashPassword would write today with
// `params`: other parameters, another salt or hash length, or a string that
// does not parse. Call after a successful VerifyPassword, and store a fresh
// HashPassword of the same password if it returns true.
[[nodiscard]] bool NeedsRehash(std::string_view phc, const Argon2Params& params);

}  // namespace mamori::crypto
