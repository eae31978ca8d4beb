// SPDX-License-Identifier: Apache-2.0
#pragma once

// core::Random: the only source of randomness (STYLE.md rule 14). Nonces, keys,
// salts, session ids, request ids and TOTP secrets all come through it.
//
// Production uses SecureRandom (OpenSSL RAND_bytes), from Random::Secure().
// Tests use DeterministicRandom from the test-only library mamori::core_testing,
// which the mamori binary cannot link.
//
//   std::array<uint8_t, 12> nonce;
//   env.random().Fill(nonce);
//
// Thread-safety: Fill may be called from any thread.

#include <cstdint>
#include <span>
#include <string>

namespace mamori::core {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with random bytes. A failure of the system CSPRNG is not
  // recoverable for a security product: the implementation aborts rather than
  // return predictable bytes.
  virtual void Fill(std::span<uint8_t> out) = 0;

  // Convenience: n random bytes as a string of raw bytes.
  std::string Bytes(size_t n);
  // A random value in [0, bound). REQUIRES: bound > 0.
  uint64_t Uniform(uint64_t bound);

  // The process-wide OpenSSL-backed generator. Never destroyed.
  static Random& Secure();
};

}  // namespace mamori::core
