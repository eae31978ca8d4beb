// SPDX-License-Identifier: Apache-2.0
// Fuzz target for snapshot manifests (STYLE.md rule 32): a backup medium is
// untrusted when it comes back. Parsing must never crash; anything refused is
// kDataLoss; nothing verifies without the corpus key's signature.
//
// Corpus (manifest_corpus/): a manifest signed by the fixed key below, the
// same truncated, with its final record removed, with a changed size, and a
// signed manifest of the old mamori-backup/1 format (read, as format 1).

#include <array>
#include <string_view>

#include "backup/internal/manifest.h"
#include "core/check.h"
#include "core/testing/fuzz.h"

namespace backup = mamori::backup;
namespace crypto = mamori::crypto;

MAMORI_FUZZ_TARGET(data, size) {
  static const crypto::SigningKey key =
      crypto::SigningKey::Import(std::array<uint8_t, 32>{7}).value();
  auto parsed = backup::internal::ParseManifest(
      std::string_view(reinterpret_cast<const char*>(data), size), key.PublicKey());
  if (!parsed.ok()) {
    MAMORI_CHECK(parsed.status().code() == mamori::core::StatusCode::kDataLoss);
    return;
  }
  // What verifies re-serialises to a manifest that verifies again.
  std::string again = backup::internal::SerializeManifest(*parsed, key);
  MAMORI_CHECK(backup::internal::ParseManifest(again, key.PublicKey()).ok());
}
