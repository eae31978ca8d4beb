// SPDX-License-Identifier: Apache-2.0
// Fuzz target: DecodeLeaf over untrusted bytes (STYLE.md rule 32).
// Invariants: no crash; every refusal is kInvalidArgument; anything DecodeLeaf
// accepts encodes back to exactly the same bytes (one encoding per leaf, so
// the leaf hash is well defined). Seeds: leaf_corpus/seed-* (ledger_golden_gen).

#include <algorithm>
#include <span>
#include <string>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "ledger/leaf.h"

MAMORI_FUZZ_TARGET(data, size) {
  const std::span<const uint8_t> bytes(data, size);
  mamori::core::Result<mamori::ledger::Leaf> leaf = mamori::ledger::DecodeLeaf(bytes);
  if (!leaf.ok()) {
    MAMORI_CHECK(leaf.status().code() == mamori::core::StatusCode::kInvalidArgument);
    return;
  }
  mamori::core::Result<std::string> again = mamori::ledger::EncodeLeaf(*leaf);
  MAMORI_CHECK(again.ok());
  MAMORI_CHECK(again->size() == size);
  MAMORI_CHECK(std::equal(again->begin(), again->end(), bytes.begin(),
                          [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; }));
}
