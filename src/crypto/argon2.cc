// SPDX-License-Identifier: Apache-2.0
#include "crypto/argon2.h"

#include <limits>

#include <argon2.h>

#include "crypto/internal/phc.h"

namespace mamori::crypto {
namespace {

bool FitsUint32(size_t n) { return n <= std::numeric_limits<uint32_t>::max(); }

// argon2_context wants non-const pointers even for the inputs it only reads
// (it writes to them only with the ARGON2_FLAG_CLEAR_* flags, never set here).
uint8_t* Mutable(std::span<const uint8_t> bytes) { return const_cast<uint8_t*>(bytes.data()); }

core::Status CheckInputs(std::span<const uint8_t> password, std::span<const uint8_t> salt,
                         size_t out_len, std::span<const uint8_t> secret,
                         std::span<const uint8_t> ad) {
  if (salt.size() < kArgon2MinSaltSize) {
    return core::InvalidArgumentError("Argon2id salt of " + std::to_string(salt.size()) +
                                      " bytes is shorter than " +
                                      std::to_string(kArgon2MinSaltSize));
  }
  if (out_len < kArgon2MinOutputSize || out_len > kArgon2MaxOutputSize) {
    return core::InvalidArgumentError("Argon2id output length " + std::to_string(out_len) +
                                      " is outside 4 to 1024 bytes");
  }
  if (!FitsUint32(password.size()) || !FitsUint32(salt.size()) || !FitsUint32(secret.size()) ||
      !FitsUint32(ad.size())) {
    return core::InvalidArgumentError("Argon2id input longer than 2^32 - 1 bytes");
  }
  return core::Status::Ok();
}

// libargon2 validates everything again; inputs were checked above, so what
// is left is resources or a broken library.
core::Status Argon2Error(int rc) {
  std::string message = std::string("Argon2id: ") + argon2_error_message(rc);
  if (rc == ARGON2_MEMORY_ALLOCATION_ERROR || rc == ARGON2_THREAD_FAIL) {
    return core::ResourceExhaustedError(std::move(message));
  }
  return core::InternalError(std::move(message));
}

core::Status CheckPasswordSize(std::string_view password) {
  if (password.size() > kMaxPasswordSize) {
    return core::InvalidArgumentError("password of " + std::to_string(password.size()) +
                                      " bytes is longer than " + std::to_string(kMaxPasswordSize));
  }
  return core::Status::Ok();
}

}  // namespace

core::Status CheckArgon2Params(const Argon2Params& params) {
  if (params.parallelism < 1 || params.parallelism > kArgon2MaxParallelism) {
    return core::InvalidArgumentError("Argon2id parallelism " + std::to_string(params.parallelism) +
                                      " is outside 1 to " + std::to_string(kArgon2MaxParallelism));
  }
  if (params.iterations < 1 || params.iterations > kArgon2MaxIterations) {
    return core::InvalidArgumentError("Argon2id iterations " + std::to_string(params.iterations) +
                                      " is outside 1 to " + std::to_string(kArgon2MaxIterations));
  }
  // RFC 9106 section 3.1: m >= 8 * p.
  uint64_t min_memory = uint64_t{8} * params.parallelism;
  if (params.memory_kib < min_memory || params.memory_kib > kArgon2MaxMemoryKib) {
    return core::InvalidArgumentError("Argon2id memory " + std::to_string(params.memory_kib) +
                                      " KiB is outside " + std::to_string(min_memory) + " to " +
                                      std::to_string(kArgon2MaxMemoryKib) + " KiB");
  }
  return core::Status::Ok();
}

core::Result<SecureBytes> Argon2id(std::span<const uint8_t> password, std::span<const uint8_t> salt,
                                   const Argon2Params& params, size_t out_len,
                                   std::span<const uint8_t> secret, std::span<const uint8_t> ad) {
  MAMORI_RETURN_IF_ERROR(CheckArgon2Params(params));
  MAMORI_RETURN_IF_ERROR(CheckInputs(password, salt, out_len, secret, ad));
  SecureBytes out(out_len);
  argon2_context context{};
  context.out = out.data();
  context.outlen = static_cast<uint32_t>(out_len);
  context.pwd = Mutable(password);
  context.pwdlen = static_cast<uint32_t>(password.size());
  context.salt = Mutable(salt);
  context.saltlen = static_cast<uint32_t>(salt.size());
  context.secret = secret.empty() ? nullptr : Mutable(secret);
  context.secretlen = static_cast<uint32_t>(secret.size());
  context.ad = ad.empty() ? nullptr : Mutable(ad);
  context.adlen = static_cast<uint32_t>(ad.size());
  context.t_cost = params.iterations;
  context.m_cost = params.memory_kib;
  context.lanes = params.parallelism;
  context.threads = params.parallelism;
  context.version = ARGON2_VERSION_13;
  context.flags = ARGON2_DEFAULT_FLAGS;  // the caller owns and wipes its inputs
  // libargon2 wipes its memory blocks before freeing them
  // (FLAG_clear_internal_memory defaults to 1), so no intermediate state of the
  // derivation outlives the call.
  int rc = argon2_ctx(&context, Argon2_id);
  if (rc != ARGON2_OK) return Argon2Error(rc);
  return out;
}

core::Result<std::string> HashPassword(std::string_view password, const Argon2Params& params,
                                       core::Random& random) {
  MAMORI_RETURN_IF_ERROR(CheckPasswordSize(password));
  internal::PhcHash phc{params, std::vector<uint8_t>(kPasswordSaltSize), {}};
  // A fresh random salt per hash, so equal passwords get unrelated hashes and
  // no precomputed table serves two accounts.
  random.Fill(phc.salt);
  MAMORI_ASSIGN_OR_RETURN(SecureBytes hash,
                          Argon2id(AsBytes(password), phc.salt, params, kPasswordHashSize));
  phc.hash.assign(hash.begin(), hash.end());
  return internal::FormatPhc(phc);
}

core::Result<bool> VerifyPassword(std::string_view password, std::string_view phc) {
  MAMORI_RETURN_IF_ERROR(CheckPasswordSize(password));
  MAMORI_ASSIGN_OR_RETURN(internal::PhcHash stored, internal::ParsePhc(phc));
  MAMORI_ASSIGN_OR_RETURN(SecureBytes computed, Argon2id(AsBytes(password), stored.salt,
                                                         stored.params, stored.hash.size()));
  // Constant time: a byte-by-byte early exit would tell a remote guesser how
  // many leading bytes of the hash a guess matched.
  return ConstantTimeEquals(computed.span(), stored.hash);
}

bool NeedsRehash(std::string_view phc, const Argon2Params& params) {
  core::Result<internal::PhcHash> stored = internal::ParsePhc(phc);
  if (!stored.ok()) return true;
  return stored->params != params || stored->salt.size() != kPasswordSaltSize ||
         stored->hash.size() != kPasswordHashSize;
}

}  // namespace mamori::crypto
