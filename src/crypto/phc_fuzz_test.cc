// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the Argon2id PHC string parser (STYLE.md rule 32): password
// hashes are read back from the database, which a restore or an attacker with
// write access may have changed. The parser must never crash, must answer
// kInvalidArgument for anything it refuses, and must be canonical: a string it
// accepts formats back to exactly itself (so no second spelling of a stored
// hash exists). NeedsRehash must say true for every string that does not parse.
// Strings with small parameters are also verified, which must not crash.
//
// Corpus (phc_corpus/): a hash of the fuzz password at m=64, t=1, p=1; the
// reference implementation's 256 KiB vectors (p=1 and p=2); argon2i and v=16
// strings; padding, leading zeros, non-canonical B64, an 8 GiB memory cost,
// an extra field, an empty file. Written by hand from
// shared/data/vectors/rfc/argon2_rfc9106.json and HashPassword's output.

#include <string>
#include <string_view>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "crypto/argon2.h"
#include "crypto/internal/phc.h"

namespace {

using mamori::core::StatusCode;
namespace crypto = mamori::crypto;

constexpr crypto::Argon2Params kFuzzParams{.memory_kib = 64, .iterations = 1, .parallelism = 1};

}  // namespace

MAMORI_FUZZ_TARGET(data, size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = crypto::internal::ParsePhc(text);
  bool needs_rehash = crypto::NeedsRehash(text, kFuzzParams);
  if (!parsed.ok()) {
    MAMORI_CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
    MAMORI_CHECK(needs_rehash);
    MAMORI_CHECK(crypto::VerifyPassword("fuzz password", text).status().code() ==
                 StatusCode::kInvalidArgument);
    return;
  }
  MAMORI_CHECK(crypto::internal::FormatPhc(*parsed) == text);
  MAMORI_CHECK(crypto::CheckArgon2Params(parsed->params).ok());
  // Verifying runs Argon2id at the string's own cost: only for cheap ones.
  if (parsed->params.memory_kib <= 1024 && parsed->params.iterations <= 4) {
    auto verified = crypto::VerifyPassword("fuzz password", text);
    MAMORI_CHECK(verified.ok());
  }
}
