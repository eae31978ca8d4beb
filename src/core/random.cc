// SPDX-License-Identifier: Apache-2.0
#include "core/random.h"

#include <limits>

#include <openssl/rand.h>

#include "core/check.h"

namespace mamori::core {
namespace {

class SecureRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override {
    if (out.empty()) return;
    // RAND_bytes only fails when the OS entropy source is broken. Returning
    // predictable bytes would silently weaken every key and nonce, so abort.
    MAMORI_CHECK(RAND_bytes(out.data(), static_cast<int>(out.size())) == 1);
  }
};

}  // namespace

Random& Random::Secure() {
  static Random* random = new SecureRandom();  // never destroyed
  return *random;
}

std::string Random::Bytes(size_t n) {
  std::string out(n, '\0');
  Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size()));
  return out;
}

uint64_t Random::Uniform(uint64_t bound) {
  MAMORI_CHECK(bound > 0);
  // Rejection sampling: drop the top partial range so every value is equally likely.
  const uint64_t limit =
      std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % bound;
  uint64_t v;
  do {
    Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof v));
  } while (v >= limit);
  return v % bound;
}

}  // namespace mamori::core
