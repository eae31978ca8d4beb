// SPDX-License-Identifier: Apache-2.0
// Fuzz target: LogVerifier over untrusted database rows and head files
// (STYLE.md rule 32). Input: records of [kind][len hi][len lo][bytes]; kind
// even = a leaf row (index advances by kind >> 1 & 3), odd = a tree head.
// Invariants: no crash; every problem is a "leaf" or "head" problem; a run
// without problems checked every head it was given.
#include <cstdint>
#include <span>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "ledger/hash.h"
#include "ledger/log_verifier.h"
#include "ledger/testing/fuzz_keys.h"

MAMORI_FUZZ_TARGET(data, size) {
  static const mamori::crypto::VerifyingKey* const kKey = new mamori::crypto::VerifyingKey(
      mamori::crypto::SigningKey::Import(mamori::ledger::testing::kFuzzSigningKeySeed)
          ->PublicKey());
  mamori::ledger::LogVerifier verifier(*kKey);
  size_t at = 0, heads = 0;
  uint64_t index = 0;
  while (at + 3 <= size) {
    uint8_t kind = data[at];
    size_t len = (size_t{data[at + 1]} << 8) | data[at + 2];
    at += 3;
    len = std::min(len, size - at);
    std::span<const uint8_t> bytes(data + at, len);
    at += len;
    if (kind & 1) {
      verifier.AddHead(bytes, "fuzz");
      ++heads;
    } else {
      index += (kind >> 1) & 3;
      mamori::ledger::Hash h = mamori::ledger::HashLeaf(bytes);
      verifier.AddRow(index, bytes, (kind & 0x80) ? std::span<const uint8_t>() : h);
      ++index;
    }
  }
  std::vector<mamori::ledger::LogProblem> problems = verifier.Finish();
  for (const auto& p : problems) MAMORI_CHECK(p.kind == "leaf" || p.kind == "head");
  MAMORI_CHECK(verifier.heads_checked() == heads);
}
