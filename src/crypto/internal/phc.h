// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to crypto: include "crypto/argon2.h" instead.
//
// The Argon2id PHC string, parsed and formatted
// (https://github.com/P-H-C/phc-string-format/blob/master/phc-sf-spec.md, and
// libargon2's encoding.c for the Argon2 fields):
//
//   $argon2id$v=19$m=<decimal>,t=<decimal>,p=<decimal>$<salt B64>$<hash B64>
//
// The grammar is exact: the fields in this order, decimals without sign or
// leading zeros, canonical unpadded B64 (internal/base64.h), nothing after the
// hash. ParsePhc(FormatPhc(x)) == x, and FormatPhc(ParsePhc(s)) == s for every
// s that parses, which the PHC fuzz target checks.
//
//   MAMORI_ASSIGN_OR_RETURN(PhcHash parsed, ParsePhc(stored));
//   std::string again = FormatPhc(parsed);
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/argon2.h"

namespace mamori::crypto::internal {

// Salt and hash lengths VerifyPassword accepts from a stored string.
inline constexpr size_t kPhcMinSaltSize = kArgon2MinSaltSize;  // 8
inline constexpr size_t kPhcMaxSaltSize = 64;
inline constexpr size_t kPhcMinHashSize = 16;
inline constexpr size_t kPhcMaxHashSize = 64;

struct PhcHash {
  Argon2Params params;
  std::vector<uint8_t> salt;
  std::vector<uint8_t> hash;
};

// Parses an Argon2id v=19 PHC string.
// Errors: kInvalidArgument naming the part that is wrong (never echoing the
// salt or hash): longer than kMaxPhcSize, another algorithm ("argon2i"), another
// version, a malformed or out-of-range parameter (CheckArgon2Params), a salt or
// hash that is not canonical B64 or is outside the lengths above.
core::Result<PhcHash> ParsePhc(std::string_view phc);

// The PHC string for `hash`. REQUIRES: salt and hash are not empty.
std::string FormatPhc(const PhcHash& hash);

}  // namespace mamori::crypto::internal
