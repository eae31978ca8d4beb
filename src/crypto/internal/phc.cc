// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/phc.h"

#include <optional>

#include "core/check.h"
#include "crypto/internal/base64.h"

namespace mamori::crypto::internal {
namespace {

constexpr std::string_view kPrefix = "$argon2id$v=19$";

// Takes `literal` off the front of *text; false if it is not there.
bool Consume(std::string_view* text, std::string_view literal) {
  if (!text->starts_with(literal)) return false;
  text->remove_prefix(literal.size());
  return true;
}

// A PHC decimal: 1 to 10 digits, no sign, no leading zero, fits uint32_t.
std::optional<uint32_t> ConsumeDecimal(std::string_view* text) {
  size_t n = 0;
  while (n < text->size() && (*text)[n] >= '0' && (*text)[n] <= '9') ++n;
  if (n == 0 || n > 10 || (n > 1 && (*text)[0] == '0')) return std::nullopt;
  uint64_t value = 0;
  for (size_t i = 0; i < n; ++i) value = value * 10 + static_cast<uint64_t>((*text)[i] - '0');
  if (value > UINT32_MAX) return std::nullopt;
  text->remove_prefix(n);
  return static_cast<uint32_t>(value);
}

core::Result<Argon2Params> ConsumeParams(std::string_view* text) {
  Argon2Params params;
  std::optional<uint32_t> m, t, p;
  if (!Consume(text, "m=") || !(m = ConsumeDecimal(text)) || !Consume(text, ",t=") ||
      !(t = ConsumeDecimal(text)) || !Consume(text, ",p=") || !(p = ConsumeDecimal(text)) ||
      !Consume(text, "$")) {
    return core::InvalidArgumentError(
        "PHC string parameters are not \"m=<memory>,t=<iterations>,p=<parallelism>\"");
  }
  params = {.memory_kib = *m, .iterations = *t, .parallelism = *p};
  MAMORI_RETURN_IF_ERROR(CheckArgon2Params(params).With("PHC string"));
  return params;
}

core::Result<std::vector<uint8_t>> DecodeField(std::string_view b64, const char* what,
                                               size_t min_size, size_t max_size) {
  std::optional<std::vector<uint8_t>> bytes = Base64DecodeUnpadded(b64);
  if (!bytes) {
    return core::InvalidArgumentError(std::string("PHC string ") + what +
                                      " is not canonical unpadded base64");
  }
  if (bytes->size() < min_size || bytes->size() > max_size) {
    return core::InvalidArgumentError(std::string("PHC string ") + what + " of " +
                                      std::to_string(bytes->size()) + " bytes is outside " +
                                      std::to_string(min_size) + " to " + std::to_string(max_size));
  }
  return std::move(*bytes);
}

// Explains why `phc` does not start with kPrefix.
core::Status PrefixError(std::string_view phc) {
  for (std::string_view other : {"$argon2i$", "$argon2d$"}) {
    if (phc.starts_with(other)) {
      return core::InvalidArgumentError("PHC string names " + std::string(other.substr(1, 7)) +
                                        "; only argon2id is accepted");
    }
  }
  if (phc.starts_with("$argon2id$")) {
    return core::InvalidArgumentError("PHC string is not Argon2 version 19 (\"v=19\")");
  }
  return core::InvalidArgumentError("not an Argon2id PHC string (\"$argon2id$v=19$...\")");
}

}  // namespace

core::Result<PhcHash> ParsePhc(std::string_view phc) {
  if (phc.size() > kMaxPhcSize) {
    return core::InvalidArgumentError("PHC string of " + std::to_string(phc.size()) +
                                      " characters is longer than " + std::to_string(kMaxPhcSize));
  }
  std::string_view rest = phc;
  if (!Consume(&rest, kPrefix)) return PrefixError(phc);
  MAMORI_ASSIGN_OR_RETURN(Argon2Params params, ConsumeParams(&rest));
  size_t dollar = rest.find('$');
  if (dollar == std::string_view::npos) {
    return core::InvalidArgumentError("PHC string has no hash after the salt");
  }
  MAMORI_ASSIGN_OR_RETURN(std::vector<uint8_t> salt, DecodeField(rest.substr(0, dollar), "salt",
                                                                 kPhcMinSaltSize, kPhcMaxSaltSize));
  MAMORI_ASSIGN_OR_RETURN(std::vector<uint8_t> hash, DecodeField(rest.substr(dollar + 1), "hash",
                                                                 kPhcMinHashSize, kPhcMaxHashSize));
  return PhcHash{params, std::move(salt), std::move(hash)};
}

std::string FormatPhc(const PhcHash& hash) {
  MAMORI_CHECK(!hash.salt.empty() && !hash.hash.empty());
  return std::string(kPrefix) + "m=" + std::to_string(hash.params.memory_kib) +
         ",t=" + std::to_string(hash.params.iterations) +
         ",p=" + std::to_string(hash.params.parallelism) + "$" + Base64EncodeUnpadded(hash.salt) +
         "$" + Base64EncodeUnpadded(hash.hash);
}

}  // namespace mamori::crypto::internal
