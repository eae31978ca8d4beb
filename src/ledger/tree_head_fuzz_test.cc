// SPDX-License-Identifier: Apache-2.0
// Fuzz target: SignedTreeHead::Parse and Verify over untrusted bytes
// (STYLE.md rule 32). Invariants: no crash; anything Parse accepts
// serializes back to exactly the same bytes (the encoding is canonical);
// anything that verifies under the fuzz key is a seed the key really signed.
// Seeds: tree_head_corpus/seed-* (written by ledger_golden_gen).

#include <algorithm>
#include <span>
#include <string>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "crypto/secure_bytes.h"
#include "crypto/signature.h"
#include "ledger/testing/fuzz_keys.h"
#include "ledger/tree_head.h"

MAMORI_FUZZ_TARGET(data, size) {
  using mamori::ledger::SignedTreeHead;
  static const mamori::crypto::VerifyingKey* const kKey = new mamori::crypto::VerifyingKey(
      mamori::crypto::SigningKey::Import(mamori::ledger::testing::kFuzzSigningKeySeed)
          ->PublicKey());
  const std::span<const uint8_t> bytes(data, size);
  mamori::core::Result<SignedTreeHead> sth = SignedTreeHead::Parse(bytes);
  if (!sth.ok()) {
    MAMORI_CHECK(sth.status().code() == mamori::core::StatusCode::kInvalidArgument);
    return;
  }
  const std::string again = sth->Serialize();
  MAMORI_CHECK(again.size() == size);
  MAMORI_CHECK(std::equal(again.begin(), again.end(), bytes.begin(),
                          [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; }));
  mamori::core::Status verified = sth->Verify(*kKey);
  MAMORI_CHECK(verified.ok() || verified.code() == mamori::core::StatusCode::kDataLoss ||
               verified.code() == mamori::core::StatusCode::kInvalidArgument);
  MAMORI_CHECK(sth->head().Validate().ok());
}
